# Bad input, tried as a new user would (issue 15), included from tests/CMakeLists.txt; see
# scripts/check_bad_input.py. With LibTorch also the model's SHA-256 against its side file.
if(HYFE_WITH_TORCH)
  set(HYFE_BAD_INPUT_MODELS --models ${PROJECT_SOURCE_DIR}/learned/models)
endif()
# 1 rank: every case as a run and with --validate, two cases at a time (so 2 processors);
# 2 ranks: every case as a run (printed once, every rank exits 1), --validate where it is the point.
# About 2 min each on 2 idle cores (each hyfe start costs ~1.5 s of CPU); up to 6 min measured on busy ones.
hyfe_add_script_test(NAME bad_input_np1 SCRIPT check_bad_input.py LABELS quick TIMEOUT 600 RANKS 2
  ARGS --np 1 --modes both --jobs 2 ${HYFE_BAD_INPUT_MODELS})
hyfe_add_script_test(NAME bad_input_np2 SCRIPT check_bad_input.py LABELS quick TIMEOUT 600 RANKS 2
  ARGS --np 2 --modes run ${HYFE_BAD_INPUT_MODELS})
# SIGTERM to mpirun, SIGTERM to the ranks, SIGKILL at three moments: the output stays readable
hyfe_add_script_test(NAME interrupted_runs SCRIPT check_bad_input.py LABELS quick TIMEOUT 400 RANKS 2
  ARGS --np 2 --interrupted)
