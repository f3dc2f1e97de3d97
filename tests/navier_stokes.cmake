# Navier-Stokes tests (issue 3), included from tests/CMakeLists.txt; see scripts/check_navier_stokes.py.
foreach(t taylor-green ranks amr errors grad-div assembly convection-form)
  string(REPLACE "-" "_" name "navier_stokes_${t}")
  hyfe_add_script_test(NAME ${name} SCRIPT check_navier_stokes.py LABELS quick TIMEOUT 600 RANKS 2
    ARGS --test ${t})
endforeach()
hyfe_add_script_test(NAME navier_stokes_dfg_2d_1 SCRIPT check_navier_stokes.py LABELS quick TIMEOUT 600 RANKS 2
  ARGS --test dfg-2d-1)

# long: the full validations of the cases, each run and then checked by the case's validate.py
foreach(case dfg-2d-1 dfg-2d-2 dfg-2d-3 dfg-3d-1z cavity-re100 cavity-re400 cavity-re1000 taylor-green-2d)
  string(REPLACE "-" "_" name "validate_${case}")
  hyfe_add_test(NAME ${name} LABELS long TIMEOUT 3600 RANKS 2
    COMMAND ${HYFE_TEST_PYTHON} ${HYFE_TEST_SCRIPTS}/run_case_validation.py --hyfe $<TARGET_FILE:hyfe>
            --mpirun ${HYFE_TEST_MPIRUN} --case ${PROJECT_SOURCE_DIR}/cases/${case}
            --work ${HYFE_TEST_WORK}/${name})
endforeach()
hyfe_add_test(NAME taylor_green_convergence LABELS long TIMEOUT 1200
  COMMAND ${HYFE_TEST_PYTHON} ${PROJECT_SOURCE_DIR}/cases/taylor-green-2d/convergence.py $<TARGET_FILE:hyfe>
          --out ${HYFE_TEST_WORK}/taylor_green_convergence)
