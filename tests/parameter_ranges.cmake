# Documented parameter ranges are enforced (issue 15), included from tests/CMakeLists.txt; see
# scripts/check_parameter_ranges.py. Runs hyfe --validate on 1 rank (as an MPI singleton when that agrees
# with mpirun -np 1), two runs at once.
hyfe_add_script_test(NAME parameter_ranges SCRIPT check_parameter_ranges.py LABELS quick TIMEOUT 600 RANKS 2)
