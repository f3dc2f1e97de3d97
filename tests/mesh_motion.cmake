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
