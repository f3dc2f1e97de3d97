# Mesh motion tests (issue 12), included from tests/CMakeLists.txt; see scripts/check_mesh_motion.py.
foreach(t gcl amr guard bodies errors space)
  string(REPLACE "-" "_" name "mesh_motion_${t}")
  hyfe_add_script_test(NAME ${name} SCRIPT check_mesh_motion.py LABELS quick TIMEOUT 600 RANKS 2
    ARGS --test ${t} --source ${PROJECT_SOURCE_DIR})
endforeach()
hyfe_add_script_test(NAME mesh_motion_time SCRIPT check_mesh_motion.py LABELS quick TIMEOUT 900 RANKS 2
  ARGS --test time --source ${PROJECT_SOURCE_DIR})
