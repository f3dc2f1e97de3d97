# Mesh motion tests (issue 12), included from tests/CMakeLists.txt; see scripts/check_mesh_motion.py.
foreach(t gcl amr guard bodies errors space monge)
  string(REPLACE "-" "_" name "mesh_motion_${t}")
  hyfe_add_script_test(NAME ${name} SCRIPT check_mesh_motion.py LABELS quick TIMEOUT 600 RANKS 2
    ARGS --test ${t} --source ${PROJECT_SOURCE_DIR})
endforeach()
hyfe_add_script_test(NAME mesh_motion_time SCRIPT check_mesh_motion.py LABELS quick TIMEOUT 900 RANKS 2
  ARGS --test time --source ${PROJECT_SOURCE_DIR})

# long: the moving-body case, run and checked by its validate.py (lock-in, guard, mesh quality)
hyfe_add_test(NAME validate_oscillating_cylinder LABELS long TIMEOUT 3600 RANKS 2
  COMMAND ${HYFE_TEST_PYTHON} ${HYFE_TEST_SCRIPTS}/run_case_validation.py --hyfe $<TARGET_FILE:hyfe>
          --mpirun ${HYFE_TEST_MPIRUN} --case ${PROJECT_SOURCE_DIR}/cases/oscillating-cylinder
          --work ${HYFE_TEST_WORK}/validate_oscillating_cylinder)

# the Helmholtz bump: three short runs (uniform, exact and recovered Hessian) and their checks
hyfe_add_test(NAME validate_helmholtz_bump LABELS quick TIMEOUT 300
  COMMAND ${HYFE_TEST_PYTHON} ${PROJECT_SOURCE_DIR}/cases/helmholtz-bump/validate.py
          ${HYFE_TEST_WORK}/validate_helmholtz_bump --hyfe $<TARGET_FILE:hyfe>
          --report ${HYFE_TEST_WORK}/validate_helmholtz_bump)

# long: the swirl with monge-ampere every step (about 4 minutes on one rank)
hyfe_add_test(NAME validate_swirl LABELS long TIMEOUT 3600 RANKS 2
  COMMAND ${HYFE_TEST_PYTHON} ${HYFE_TEST_SCRIPTS}/run_case_validation.py --hyfe $<TARGET_FILE:hyfe>
          --mpirun ${HYFE_TEST_MPIRUN} --case ${PROJECT_SOURCE_DIR}/cases/swirl
          --work ${HYFE_TEST_WORK}/validate_swirl)

# the learned mover (issue 13): the guard with tiny hand-built models and the contract errors; the shipped
# model (shadow mode, 1 and 2 ranks, hr-adaptivity with a restart)
if(HYFE_WITH_TORCH)
  foreach(t guard shipped)
    hyfe_add_script_test(NAME learned_mover_${t} SCRIPT check_learned_mover.py LABELS quick TIMEOUT 600 RANKS 2
      ARGS --test ${t} --source ${PROJECT_SOURCE_DIR})
  endforeach()
endif()
