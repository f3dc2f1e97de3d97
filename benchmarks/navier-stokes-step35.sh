#!/usr/bin/env bash
# Navier-Stokes benchmark of issue 3: hyfe on cases/dfg-2d-2 against deal.II's step-35 tutorial.
#
# Both programs solve the incompressible Navier-Stokes equations past a cylinder in a channel at
# Re = 100 (the DFG 2D-2 geometry; step-35's mesh nsbench2.inp is the same channel scaled by 10)
# with Q2/Q1 elements, BDF2 and the rotational incremental pressure correction, for a fixed number
# of fixed time steps, without field output. Programs:
#   hyfe      cases/dfg-2d-2 with `global refinements` HYFE_LEVELS (1 and 2) on 1 and 2 MPI ranks
#   step-35   the serial tutorial (one thread, DEAL_II_NUM_THREADS=1) at STEP35_REFINES (3) global
#             refinements, with timers around its phases added by sed, run right after each
#             1-rank hyfe run
# The measure is wall time per DoF-step = wall time of the time loop / (DoFs x steps), DoFs =
# velocity + pressure DoFs; the targets are hyfe (1 rank) / step-35 <= 0.5 (issue 3) and <= 0.15 (issue 14). Each configuration
# runs REPEATS times, the runs of both programs interleaved; the script prints a markdown table of
# the medians and writes it, with the machine, the load, the versions and the exact commands, to
# benchmarks/navier-stokes-step35.md.
#
#   benchmarks/navier-stokes-step35.sh        (about 5 minutes on 2 idle cores, 10 on a busy machine, plus the builds)
#   STEPS=100 REPEATS=1 KEEP_WORK=1 benchmarks/navier-stokes-step35.sh
#
# Environment: STEPS (time steps of every run, 200), REPEATS (3), HYFE_LEVELS ("1 2"), HYFE_RANKS
# ("1 2"), STEP35_REFINES ("3"; several levels may be given), BUILD (hyfe's build folder,
# build-bench35), KEEP_WORK=1 (keep the temporary folder with the step-35 copy, the logs and the
# parameter files). step-35's source is copied into that temporary folder only, never into the
# repository.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STEPS=${STEPS:-200}
REPEATS=${REPEATS:-3}
HYFE_LEVELS=${HYFE_LEVELS:-1 2}
HYFE_RANKS=${HYFE_RANKS:-1 2}
STEP35_REFINES=${STEP35_REFINES:-3}
BUILD=${BUILD:-$ROOT/build-bench35}
REPORT="$ROOT/benchmarks/navier-stokes-step35.md"
EXAMPLES=/usr/share/doc/libdeal.ii-doc/examples/step-35
CASE="$ROOT/cases/dfg-2d-2/case.prm"

# Time steps (fixed). hyfe, in the DFG units (D = 0.1, mean inflow 1): 0.002 on level 1 and 0.001
# on level 2, i.e. a CFL number of about 1.5-2 as the case's CFL-adaptive steps (max cfl 2).
# step-35's channel is 10 times larger with the same velocities, so its time unit is 10 times
# larger: 0.015 there is 0.0015 in DFG units, which gives its level-3 mesh (cell size between
# hyfe's levels 1 and 2) a CFL number between those of hyfe's two levels.
hyfe_dt() { case "$1" in 0) echo 0.004 ;; 1) echo 0.002 ;; 2) echo 0.001 ;; 3) echo 0.0005 ;; *) echo 0.00025 ;; esac; }
step35_dt() { case "$1" in 2) echo 0.03 ;; 3) echo 0.015 ;; 4) echo 0.0075 ;; *) echo 0.015 ;; esac; }

if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMP_NUM_THREADS=1 # one BLAS/OpenMP thread per MPI rank, as `make run`
say() { echo "navier-stokes-step35: $*" >&2; }
fail() {
  say "error: $*"
  exit 1
}
script_start=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 1. dependencies (libdeal.ii-doc ships step-35's source, parameter file and mesh) ------------
"$ROOT/cmake/install-deps.sh" --benchmark

# --- 2. hyfe, Release ----------------------------------------------------------------------------
build_type=""
[ -f "$BUILD/CMakeCache.txt" ] && build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt")
if [ "$build_type" != Release ]; then
  say "configuring hyfe (Release) in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DHYFE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
say "building hyfe in $BUILD"
ninja -C "$BUILD" hyfe >/dev/null || fail "building hyfe failed (run: ninja -C $BUILD hyfe)"
HYFE="$BUILD/hyfe"

# --- 3. step-35: an instrumented copy in a temporary folder, built in Release ------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hyfe-ns-step35.XXXXXX")
if [ "${KEEP_WORK:-0}" = 1 ]; then
  say "keeping $WORK"
else
  trap 'rm -rf "$WORK"' EXIT
fi
S35="$WORK/step-35"
mkdir -p "$S35"
for f in step-35.cc CMakeLists.txt parameter-file.prm nsbench2.inp; do
  if [ -f "$EXAMPLES/$f" ]; then
    cp "$EXAMPLES/$f" "$S35/$f"
  elif [ -f "$EXAMPLES/$f.gz" ]; then
    gunzip -c "$EXAMPLES/$f.gz" >"$S35/$f"
  else
    fail "$EXAMPLES/$f(.gz) not found; is libdeal.ii-doc installed?"
  fi
done
chmod u+w "$S35"/*
cp "$S35/step-35.cc" "$WORK/step-35.orig.cc"
cp "$S35/parameter-file.prm" "$WORK/parameter-file.orig.prm"

# The instrumentation: wall-clock timers around the phases of each step, the iteration counts,
# and a timer around the time loop (from after the initial output to before the final output).
# It prints one line "bench-step n total assembly velocity pressure update its_u its_p" per step
# and "bench-loop steps wall cpu" at the end. Nothing of the algorithm is changed.
cat >"$WORK/bench.inc" <<'EOF'
// ---- benchmark instrumentation, inserted by benchmarks/navier-stokes-step35.sh (not in the tutorial) ----
#include <atomic>
#include <chrono>
#include <ctime>
namespace bench
{
  inline double now()
  {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  inline double cpu() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
  double step_start = 0, assembly = 0, velocity = 0, pressure = 0, update = 0, loop_start = 0, loop_cpu = 0;
  std::atomic<unsigned long> velocity_its{0};
  unsigned long pressure_its = 0;
  void begin_loop() { loop_start = now(); loop_cpu = cpu(); }
  void begin_step()
  {
    step_start = now();
    assembly = velocity = pressure = update = 0;
    velocity_its = 0;
    pressure_its = 0;
  }
  void end_step(const unsigned int n)
  {
    const double total = now() - step_start;
    std::cout << "bench-step " << n << ' ' << total << ' ' << assembly << ' ' << velocity << ' ' << pressure
              << ' ' << update << ' ' << velocity_its << ' ' << pressure_its << '\n';
  }
  void end_loop(const unsigned int steps)
  {
    const double wall = now() - loop_start, cpu_time = cpu() - loop_cpu;
    std::cout << "bench-loop " << steps << ' ' << wall << ' ' << cpu_time << std::endl;
  }
} // namespace bench
// ---- end of the benchmark instrumentation ----
EOF
# patch_source SED-EXPRESSION MARKER: apply, then MARKER must occur exactly once more than before
patch_source() {
  local before after
  before=$(grep -c -F -- "$2" "$S35/step-35.cc" || true)
  sed -i "$1" "$S35/step-35.cc"
  after=$(grep -c -F -- "$2" "$S35/step-35.cc" || true)
  [ "$after" -eq $((before + 1)) ] || fail "patching step-35.cc failed ('$1'); another deal.II version?"
}
patch_source "/^#include <iostream>\$/r $WORK/bench.inc" '// ---- end of the benchmark instrumentation'
patch_source 's/^\( *\)output_results(1);$/\1output_results(1);\n\1bench::begin_loop();/' 'bench::begin_loop();'
patch_source 's/^\( *\)\(std::cout << "Step = " << n\)/\1bench::begin_step();\n\1\2/' 'bench::begin_step();'
patch_source 's/^\( *\)assemble_advection_term();$/\1{ const double t0_ = bench::now(); assemble_advection_term(); bench::assembly += bench::now() - t0_; }/' \
  'bench::assembly +='
patch_source 's/^\( *\)diffusion_step(\(.*\));$/\1{ const double t0_ = bench::now(); diffusion_step(\2); bench::velocity += bench::now() - t0_ - bench::assembly; }/' \
  'bench::velocity +='
patch_source 's/^\( *\)projection_step((n == 2));$/\1{ const double t0_ = bench::now(); projection_step((n == 2)); bench::pressure += bench::now() - t0_; }/' \
  'bench::pressure +='
patch_source 's/^\( *\)update_pressure((n == 2));$/\1{ const double t0_ = bench::now(); update_pressure((n == 2)); bench::update += bench::now() - t0_; }\n\1bench::end_step(n);/' \
  'bench::end_step(n);'
patch_source 's/^\( *\)output_results(n_steps);$/\1bench::end_loop(n_steps - 1);\n\1output_results(n_steps);/' \
  'bench::end_loop('
patch_source 's/^\( *\)gmres.solve(\(.*\));$/\1gmres.solve(\2);\n\1bench::velocity_its += solver_control.last_step();/' \
  'bench::velocity_its +='
patch_source 's/^\( *\)cg.solve(pres_iterative, \(.*\));$/\1cg.solve(pres_iterative, \2);\n\1bench::pressure_its += solvercontrol.last_step();/' \
  'bench::pressure_its +='

say "building step-35 (Release) in $S35/build"
cmake -S "$S35" -B "$S35/build" -DCMAKE_BUILD_TYPE=Release >"$S35/cmake.log" 2>&1 ||
  fail "configuring step-35 failed, see $S35/cmake.log"
make -C "$S35/build" -j"$(env -u OMP_NUM_THREADS nproc)" >"$S35/make.log" 2>&1 || fail "building step-35 failed, see $S35/make.log"

# --- 4. the parameter files --------------------------------------------------------------------
# set_entry FILE 'sed pattern of the old line' 'new line': replaces exactly one line
set_entry() {
  local n
  n=$(grep -c -E -- "$2" "$1" || true)
  [ "$n" -eq 1 ] || fail "$1: expected one line matching '$2', found $n"
  sed -i -E "s|$2.*|$3|" "$1"
}
# step-35: one run directory per level (it reads parameter-file.prm and nsbench2.inp from its working
# directory); n_steps = floor(final_time / dt) and the loop runs steps 2..n_steps, i.e. n_steps - 1
# steps: final_time = (STEPS + 1.5) dt gives exactly STEPS steps.
for refines in $STEP35_REFINES; do
  dir="$WORK/step-35-r$refines"
  mkdir -p "$dir"
  cp "$S35/nsbench2.inp" "$S35/parameter-file.prm" "$dir/"
  dt=$(step35_dt "$refines")
  final=$(python3 -c "print(repr(($STEPS + 1.5) * $dt))")
  set_entry "$dir/parameter-file.prm" '^( *)set final_time *=' "\1set final_time   = $final"
  set_entry "$dir/parameter-file.prm" '^( *)set dt *=' "\1set dt = $dt"
  set_entry "$dir/parameter-file.prm" '^( *)set n_of_refines *=' "\1set n_of_refines = $refines"
  set_entry "$dir/parameter-file.prm" '^( *)set output_interval *=' "\1set output_interval = 1000000"
  set_entry "$dir/parameter-file.prm" '^( *)set verbose *=' "\1set verbose = false"
done
# hyfe: cases/dfg-2d-2/case.prm with a fixed step, STEPS steps, no field output
for level in $HYFE_LEVELS; do
  prm="$WORK/hyfe-l$level.prm"
  cp "$CASE" "$prm"
  dt=$(hyfe_dt "$level")
  end=$(python3 -c "print(repr(round($STEPS * $dt, 12)))")
  set_entry "$prm" '^( *)set end time *=' "\1set end time  = $end"
  set_entry "$prm" '^( *)set time step *=' "\1set time step = $dt"
  set_entry "$prm" '^( *)set global refinements *=' "\1set global refinements = $level"
  # the uniform DFG mesh (the case's own may be graded), so that the levels stay those of the earlier tables
  set_entry "$prm" '^( *)set file *= *\.\./\.\./meshes/dfg-2d[-a-z]*\.msh' "\1set file               = $ROOT/meshes/dfg-2d.msh"
  set_entry "$prm" '^( *)set adaptive time step *=' "\1set adaptive time step = false"
  set_entry "$prm" '^( *)set directory *=' "\1set directory         = output\n\1set write fields      = false"
  "$HYFE" --validate "$prm" >/dev/null || fail "hyfe rejects $prm"
done

# --- 5. the runs, interleaved so that both programs see the same machine load ----------------------
# Order within one repeat: for each hyfe level, hyfe on each rank count, and step-35 (at each of
# STEP35_REFINES) right after hyfe on 1 rank: every 1-rank hyfe run has a step-35 run next to it,
# the pair of a "paired ratio".
RESULTS="$WORK/results.csv"
# OpenMPI binds each rank to a core (rank 0 to the first one allowed); step-35 is pinned to that core
# too, so that under load both programs meet the same competition (an unpinned process can move to
# the less busy core, a bound rank cannot)
CORE=$(python3 -c 'import os; print(min(os.sched_getaffinity(0)))')
export CORE
echo "program,level,ranks,run,pair,steps,velocity_dofs,pressure_dofs,loop_wall,loop_cpu,process_wall,process_cpu,log" >"$RESULTS"
run_step35() { # refines, run, the hyfe level it follows
  local dir="$WORK/step-35-r$1" log="$WORK/step-35-r$1-run$2-after-l$3.log"
  say "run $2 of $REPEATS: step-35, $1 refinements, 1 thread (after hyfe level $3)"
  (cd "$dir" && DEAL_II_NUM_THREADS=1 taskset -c "$CORE" /usr/bin/time -f "TIME %e %U %S" "$S35/build/step-35" >"$log" 2>&1) ||
    fail "step-35 failed, see $log"
  awk -v level="$1" -v run="$2" -v pair="$3-$2" -v logfile="$log" '
    /^dim \(X_h\) =/ { vel = $NF }
    /^dim \(M_h\) =/ { pres = $NF }
    /^bench-loop /   { steps = $2; wall = $3; cpu = $4 }
    /^TIME /         { pwall = $2; pcpu = $3 + $4 }
    END {
      if (vel == "" || pres == "" || steps == "" || pwall == "") exit 1
      printf "step-35,%s,1,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", level, run, pair, steps, vel, pres, wall, cpu, pwall, pcpu, logfile
    }' "$log" >>"$RESULTS" || fail "cannot read the timings of step-35 from $log"
}
# hyfe's runner: runs the mpirun command, copies its output to the log, and reads the CPU time
# (utime + stime from /proc) of the hyfe processes under mpirun when rank 0 announces the time loop
# ("hyfe: t = ...") and when it reports its end ("hyfe: done in ..."): the CPU time of the loop
cat >"$WORK/run-hyfe.py" <<'EOF'
import os, subprocess, sys

log, cpu_file, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
tick = os.sysconf("SC_CLK_TCK")


def hyfe_cpu(root):
    """summed utime + stime [s] of the processes named hyfe below the process root"""
    stat = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                text = open(f"/proc/{d}/stat").read()
            except OSError:
                continue
            name = text[text.index("(") + 1:text.rindex(")")]
            f = text[text.rindex(")") + 2:].split()
            stat[int(d)] = (name, int(f[1]), (int(f[11]) + int(f[12])) / tick)
    below, todo = set(), [root]
    while todo:
        p = todo.pop()
        for q, (_, ppid, _) in stat.items():
            if ppid == p and q not in below:
                below.add(q)
                todo.append(q)
    return sum(stat[q][2] for q in below if stat[q][0] == "hyfe")


start = end = None
with open(log, "w") as out:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    for line in proc.stdout:
        if line.startswith("hyfe: t = ") and start is None:
            start = hyfe_cpu(proc.pid)
        elif line.startswith("hyfe: done in") and end is None:
            end = hyfe_cpu(proc.pid)
        out.write(line)
    rc = proc.wait()
with open(cpu_file, "w") as f:
    f.write(repr(end - start) if start is not None and end is not None else "")
sys.exit(rc)
EOF
run_hyfe() { # level, ranks, run
  local out="$WORK/hyfe-l$1-np$2" log="$WORK/hyfe-l$1-np$2-run$3.log"
  say "run $3 of $REPEATS: hyfe, level $1, $2 rank(s)"
  rm -rf "$out"
  mkdir -p "$out"
  # /usr/bin/time writes one file per rank (log.time.RANK; OpenMPI sets OMPI_COMM_WORLD_RANK)
  (cd "$out" && python3 "$WORK/run-hyfe.py" "$log" "$log.loopcpu" mpirun -np "$2" \
    sh -c 'exec /usr/bin/time -o "$0.time.$OMPI_COMM_WORLD_RANK" -f "TIME %e %U %S" "$@"' \
    "$log" "$HYFE" "$WORK/hyfe-l$1.prm") || fail "hyfe failed, see $log"
  cp "$out/output/stats.csv" "$WORK/hyfe-l$1-np$2-run$3.stats.csv"
  # the loop's wall time is the "done in" line; of the processes, the maximum wall and the summed CPU time
  python3 - "$WORK/hyfe-l$1-np$2-run$3.stats.csv" "$log" "$1" "$2" "$3" >>"$RESULTS" <<'EOF' ||
import csv, glob, re, sys
stats, log, level, ranks, run = sys.argv[1:]
rows = list(csv.DictReader(open(stats)))
text = open(log).read()
wall = float(re.search(r"hyfe: done in .*\(([0-9.e+-]+) s wall\)", text).group(1))
times = [[float(x) for x in m] for f in sorted(glob.glob(log + ".time.*"))
         for m in re.findall(r"^TIME ([0-9.]+) ([0-9.]+) ([0-9.]+)", open(f).read(), re.M)]
if len(times) != int(ranks):
    sys.exit(f"expected {ranks} TIME lines in {log}.time.*, found {len(times)}")
loop_cpu = open(log + ".loopcpu").read().strip()
print(",".join(["hyfe", level, ranks, run, level + "-" + run, str(len(rows)), rows[-1]["velocity_dofs"], rows[-1]["pressure_dofs"],
                repr(wall), loop_cpu, repr(max(t[0] for t in times)), repr(sum(t[1] + t[2] for t in times)), log]))
EOF
    fail "cannot read the timings of hyfe from $log"
}
runs_start=$(date +%s)
for run in $(seq 1 "$REPEATS"); do
  for level in $HYFE_LEVELS; do
    done_step35=0
    for ranks in $HYFE_RANKS; do
      run_hyfe "$level" "$ranks" "$run"
      if [ "$ranks" = 1 ]; then # step-35 right after hyfe on 1 rank: the pair of the ratio
        for refines in $STEP35_REFINES; do
          run_step35 "$refines" "$run" "$level"
        done
        done_step35=1
      fi
    done
    if [ $done_step35 = 0 ]; then
      for refines in $STEP35_REFINES; do
        run_step35 "$refines" "$run" "$level"
      done
    fi
  done
done
runs_end=$(date +%s)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 6. the report -----------------------------------------------------------------------------
export BENCH_CPU BENCH_VERSIONS BENCH_COMMIT BENCH_PATCH BENCH_PRM_DIFF BENCH_S35_PRM_DIFF BENCH_DATE BENCH_NPROC
BENCH_CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
BENCH_NPROC=$(env -u OMP_NUM_THREADS nproc) # nproc obeys OMP_NUM_THREADS
BENCH_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
BENCH_VERSIONS=$(dpkg-query -W -f='${Package} ${Version}\n' libdeal.ii-dev 'libpetsc-real3.*-dev' libhypre-dev openmpi-bin 2>/dev/null |
  awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}' || true)
BENCH_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null || true)" ]; then
  BENCH_COMMIT="$BENCH_COMMIT (the work tree has uncommitted changes)"
fi
BENCH_PATCH=$(diff "$WORK/step-35.orig.cc" "$S35/step-35.cc" | grep '^>' | sed 's/^> //' | grep -v '^// ----' |
  awk '/^namespace bench/,/^} \/\/ namespace bench/ {next} {print}' || true)
BENCH_PRM_DIFF=$(for level in $HYFE_LEVELS; do
  echo "# hyfe-l$level.prm against cases/dfg-2d-2/case.prm"
  diff "$CASE" "$WORK/hyfe-l$level.prm" | sed "s|$WORK|\$TMP|g; s|$ROOT/|<repository>/|g" || true
done)
BENCH_S35_PRM_DIFF=$(for refines in $STEP35_REFINES; do
  echo "# step-35-r$refines/parameter-file.prm against the tutorial's parameter-file.prm"
  diff "$WORK/parameter-file.orig.prm" "$WORK/step-35-r$refines/parameter-file.prm" || true
done)
export STEPS REPEATS HYFE_LEVELS HYFE_RANKS STEP35_REFINES EXAMPLES load_before load_after WORK BUILD ROOT
export BENCH_RUNS_SECONDS=$((runs_end - runs_start)) BENCH_TOTAL_SECONDS=$((runs_end - script_start))
export BENCH_HYFE_DT BENCH_S35_DT
BENCH_HYFE_DT=$(for level in $HYFE_LEVELS; do printf '%s:%s ' "$level" "$(hyfe_dt "$level")"; done)
BENCH_S35_DT=$(for refines in $STEP35_REFINES; do printf '%s:%s ' "$refines" "$(step35_dt "$refines")"; done)

python3 - "$RESULTS" "$REPORT" <<'EOF'
import csv, os, statistics as st, sys

results, report = sys.argv[1], sys.argv[2]
env = os.environ
med = st.median
rows = list(csv.DictReader(open(results)))


def per_step_hyfe(stats_file):
    """medians over the steps of one hyfe run (stats.csv, rank 0's times)"""
    r = list(csv.DictReader(open(stats_file)))
    col = lambda k: [float(x.get(k) or 0) for x in r]
    return dict(assembly=med(col("assembly_time")), velocity=med(col("velocity_solve_time")),
                velocity_setup=med(col("velocity_preconditioner_setup_time")),
                pressure=med(col("pressure_solve_time")), update=None, closure=med(col("closure_time")),
                output=med(col("output_time")), its_u=med(col("velocity_iterations")),
                its_p=med(col("pressure_iterations")))


def per_step_step35(log):
    """medians over the steps of one step-35 run (the bench-step lines of its log)"""
    # bench-step n total assembly velocity pressure update its_u its_p
    steps = [list(map(float, l.split()[2:])) for l in open(log) if l.startswith("bench-step ")]
    col = lambda i: [x[i] for x in steps]
    return dict(assembly=med(col(1)), velocity=med(col(2)), velocity_setup=None, pressure=med(col(3)),
                update=med(col(4)), closure=0., output=0., its_u=med(col(5)), its_p=med(col(6)),
                first=steps[0][0])  # step n = 2: ILU of the pressure Laplacian, LU of the pressure mass


configs = []  # (program, level, ranks) in order of appearance
for r in rows:
    r["key"] = (r["program"], int(r["level"]), int(r["ranks"]))
    r["dofs"] = int(r["velocity_dofs"]) + int(r["pressure_dofs"])
    r["per_dofstep"] = float(r["loop_wall"]) / (r["dofs"] * int(r["steps"]))
    # CPU time of the time loop per DoF-step (hyfe: summed over the ranks)
    r["cpu_per_dofstep"] = float(r["loop_cpu"]) / (r["dofs"] * int(r["steps"]))
    r["share"] = float(r["loop_cpu"]) / float(r["loop_wall"]) / int(r["ranks"])
    if r["key"] not in configs:
        configs.append(r["key"])
    if r["program"] == "hyfe":
        r["parts"] = per_step_hyfe(r["log"].replace(".log", ".stats.csv"))
    else:
        r["parts"] = per_step_step35(r["log"])
        # the loop without its first step (one-off set-ups, which hyfe does before its loop)
        r["per_dofstep_nf"] = (float(r["loop_wall"]) - r["parts"]["first"]) / (r["dofs"] * (int(r["steps"]) - 1))

summary = {}
for key in configs:
    runs = [r for r in rows if r["key"] == key]
    s = dict(dofs=runs[0]["dofs"], vdofs=int(runs[0]["velocity_dofs"]), pdofs=int(runs[0]["pressure_dofs"]),
             steps=int(runs[0]["steps"]), n=len(runs), wall=med([float(r["loop_wall"]) for r in runs]),
             step=med([float(r["loop_wall"]) / int(r["steps"]) for r in runs]),
             per_dofstep=med([r["per_dofstep"] for r in runs]),
             cpu_per_dofstep=med([r["cpu_per_dofstep"] for r in runs]),
             rate=med([1. / r["per_dofstep"] for r in runs]))
    if key[0] == "step-35":
        s["per_dofstep_nf"] = med([r["per_dofstep_nf"] for r in runs])
    for k, v in runs[0]["parts"].items():
        s[k] = None if v is None else med([r["parts"][k] for r in runs])
    s["rest"] = s["step"] - sum(s[k] or 0. for k in ("assembly", "velocity", "pressure", "update", "closure", "output"))
    summary[key] = s

ms = lambda x: "–" if x is None else f"{1e3 * x:.1f}"
table = ["| program | level | ranks | runs | DoFs (u + p) | steps | time per step [ms] | assembly [ms] "
         "| velocity solve incl. PC set-up [ms] | of which PC set-up [ms] | pressure solve [ms] "
         "| pressure update [ms] | closure [ms] | output [ms] | rest [ms] | its u / step | its p / step "
         "| loop wall [s] | DoF-steps/s | wall per DoF-step [µs] |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for key in configs:
    s = summary[key]
    prog, level, ranks = key
    name = "hyfe" if prog == "hyfe" else "step-35 (1 thread)"
    its_u = f"{s['its_u']:g}" + ("" if prog == "hyfe" else " (2 comp.)")
    table.append(f"| {name} | {level} | {ranks} | {s['n']} | {s['vdofs']:,} + {s['pdofs']:,} = {s['dofs']:,} "
                 f"| {s['steps']} | {ms(s['step'])} | {ms(s['assembly'])} | {ms(s['velocity'])} "
                 f"| {ms(s['velocity_setup'])} | {ms(s['pressure'])} | {ms(s['update'])} | {ms(s['closure'])} "
                 f"| {ms(s['output'])} | {ms(s['rest'])} | {its_u} | {s['its_p']:g} | {s['wall']:.2f} "
                 f"| {s['rate']:,.0f} | {1e6 * s['per_dofstep']:.2f} |")

s35 = [k for k in configs if k[0] == "step-35"]
hy1 = [k for k in configs if k[0] == "hyfe" and k[2] == 1]
verdict = ["| hyfe, 1 rank | step-35 | ratio hyfe / step-35 of wall per DoF-step | paired ratio "
           "| ratio, step-35 without its first step | ratio of CPU time per DoF-step | issue 3: ≤ 0.5 (wall) "
           "| issue 14: ≤ 0.15 (wall) |",
           "|---|---|---:|---:|---:|---:|---|---|"]
ratios, cpu_ratios = [], []
for h in hy1:
    for k in s35:
        r = summary[h]["per_dofstep"] / summary[k]["per_dofstep"]
        r_nf = summary[h]["per_dofstep"] / summary[k]["per_dofstep_nf"]
        r_cpu = summary[h]["cpu_per_dofstep"] / summary[k]["cpu_per_dofstep"]
        # paired: a hyfe run and the step-35 run right after it
        pairs = []
        for a in rows:
            if a["key"] == h:
                b = [x for x in rows if x["key"] == k and x["pair"] == a["pair"]]
                if b:
                    pairs.append(a["per_dofstep"] / b[0]["per_dofstep"])
        paired = f"{med(pairs):.2f}" if pairs else "–"
        ratios.append(r)
        cpu_ratios.append(r_cpu)
        verdict.append(f"| level {h[1]} ({summary[h]['dofs']:,} DoFs) | {k[1]} refinements ({summary[k]['dofs']:,} DoFs) "
                       f"| **{r:.2f}** | {paired} | {r_nf:.2f} | {r_cpu:.2f} | " + ("met" if r <= 0.5 else "**not met**")
                       + " | " + ("met" if r <= 0.15 else "**not met**") + " |")
met_all = all(r <= 0.5 for r in ratios)
met_all_14 = all(r <= 0.15 for r in ratios)

# notes on this run, from the data
notes = []
shares = {key: med([r["share"] for r in rows if r["key"] == key]) for key in configs}
low = [k for k in configs if shares[k] < 0.8]
if low:
    notes.append("Other jobs shared the machine: the median share of a core per process during the loop was "
                 + ", ".join(f"{shares[k]:.2f} (" + (f"hyfe, level {k[1]}, {k[2]} rank{'s' if k[2] > 1 else ''}"
                                                     if k[0] == "hyfe" else f"step-35, {k[1]} refinements") + ")"
                             for k in configs)
                 + ". Wall times are inflated accordingly; the CPU-time ratio is the steadier number.")
for key in configs:
    if key[0] == "hyfe" and key[2] > 1 and ("hyfe", key[1], 1) in summary:
        one = summary[("hyfe", key[1], 1)]
        speedup = one["wall"] / summary[key]["wall"]
        text = (f"hyfe level {key[1]}: {key[2]} ranks against 1 rank: wall speed-up {speedup:.2f}"
                f" (share of a core per rank {shares[key]:.2f}).")
        if shares[key] < 0.8:
            text += (" With other jobs on the machine, ranks that wait for each other (MPI busy-waits) lose"
                     " much more than a single process: these multi-rank times say little about hyfe's"
                     " parallel efficiency.")
        notes.append(text)
for key in configs:
    s = summary[key]
    if key[0] == "hyfe" and key[2] == 1:
        notes.append(f"hyfe level {key[1]}, 1 rank: assembly is {100 * s['assembly'] / s['step']:.0f} % of the "
                     f"time per step (velocity solve {100 * s['velocity'] / s['step']:.0f} %, pressure solve "
                     f"{100 * s['pressure'] / s['step']:.0f} %).")
    elif key[0] == "step-35":
        notes.append(f"step-35, {key[1]} refinements: its velocity solve (with the ILU set-ups) is "
                     f"{100 * s['velocity'] / s['step']:.0f} % of the time per step by the medians, its pressure "
                     f"solve {100 * s['pressure'] / s['step']:.0f} % ({s['its_p']:g} CG iterations with ILU); it "
                     f"assembles only the advection matrix each step ({100 * s['assembly'] / s['step']:.0f} %), "
                     f"its mass and Laplace matrices are assembled once.")

raw = ["| program | level | ranks | run | right after | steps | DoFs | loop wall [s] | loop CPU [s] "
       "| loop CPU / (wall × ranks) | process wall [s] | process CPU [s] | wall per DoF-step [µs] "
       "| CPU per DoF-step [µs] |",
       "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for r in rows:
    after = "" if r["program"] == "hyfe" else f"hyfe level {r['pair'].split('-')[0]}, 1 rank"
    raw.append(f"| {r['program']} | {r['level']} | {r['ranks']} | {r['run']} | {after} "
               f"| {r['steps']} | {r['dofs']:,} | {float(r['loop_wall']):.2f} | {float(r['loop_cpu']):.2f} "
               f"| {r['share']:.2f} | {float(r['process_wall']):.2f} | {float(r['process_cpu']):.2f} "
               f"| {1e6 * r['per_dofstep']:.2f} | {1e6 * r['cpu_per_dofstep']:.2f} |")

print("\n".join(table))
print()
print("\n".join(verdict))
print()
print("target (hyfe's wall time per DoF-step at most half of step-35's, 1 rank): "
      + ("met" if met_all else "NOT met") + " (wall: " + ", ".join(f"{r:.2f}" for r in ratios)
      + "; CPU: " + ", ".join(f"{r:.2f}" for r in cpu_ratios) + ")")
print("target of issue 14 (at most 0.15): " + ("met" if met_all_14 else "NOT met"))

build = os.path.relpath(env["BUILD"], env["ROOT"])
fence = "```"
md = f"""# Navier–Stokes benchmark: hyfe against deal.II step-35

Generated by `benchmarks/navier-stokes-step35.sh` on {env['BENCH_DATE']}.

- machine: {env['BENCH_NPROC']} cores (`nproc`), CPU: {env['BENCH_CPU']} (`/proc/cpuinfo`)
- load average (1, 5, 15 min) before / after the runs: {env['load_before']} / {env['load_after']}
  (the machine may be shared with other jobs: see "loop CPU / (wall × ranks)" under "All runs")
- software: {env['BENCH_VERSIONS']}
- hyfe: commit {env['BENCH_COMMIT']}, Release build in `{build}`
- {env['STEPS']} time steps per run; {env['REPEATS']} repeats, the runs of both programs interleaved;
  every number below is a median over the runs (for the per-step columns: of the per-step medians)
- duration: {env['BENCH_RUNS_SECONDS']} s of runs, {env['BENCH_TOTAL_SECONDS']} s with the install check and the builds

## Result

{chr(10).join(table)}

The targets: hyfe's wall time per DoF-step at most half of step-35's (issue 3), and at most 0.15 of it
(issue 14), hyfe on 1 rank against the serial step-35. The ratio is the median of hyfe's loop wall / (DoFs × steps) over the median of
step-35's; the paired ratio is the median over the repeats of the ratio of a hyfe run and the step-35
run right after it (less sensitive to a load that changes between repeats). The ratio of the CPU
time of the time loops per DoF-step is much less sensitive to other jobs on the machine (see "Load"
below); the target is stated for wall time:

{chr(10).join(verdict)}

**Target {'met' if met_all else 'not met'}** in this run by wall time ({'every' if met_all else 'not every'} ratio ≤ 0.5:
{', '.join(f'{r:.2f}' for r in ratios)}). By CPU time of the time loops the ratios are
{', '.join(f'{r:.2f}' for r in cpu_ratios)} ({'all' if all(r <= 0.5 for r in cpu_ratios) else 'not all'} ≤ 0.5).
Issue 14's target of 0.15 is **{'met' if met_all_14 else 'not met'}** by wall time ({'every' if met_all_14 else 'not every'}
ratio ≤ 0.15; by CPU time {'all' if all(r <= 0.15 for r in cpu_ratios) else 'not all'} ≤ 0.15).

Notes on this run (generated from the data):

{chr(10).join("- " + n for n in notes)}

## What is measured

- **Problems.** hyfe: `cases/dfg-2d-2` (DFG 2D-2, Re = 100: channel 2.2 × 0.41, cylinder of diameter
  0.1, parabolic inflow with mean velocity 1, start from rest), mesh `meshes/dfg-2d.msh` refined
  `global refinements` (= level) times; the case also computes drag, lift and two pressure probes every
  step. step-35: its own mesh `nsbench2.inp`, the same channel and cylinder scaled by 10 (diameter 1,
  height 4.1, length 25), the same inflow profile (U_m = 1.5), Re = 100, its initial velocity the
  inflow profile everywhere. Both: Q2 velocity / Q1 pressure, BDF2 with extrapolated convection, the
  rotational incremental pressure correction. The flows agree up to the scaling (step-35's time unit is
  10 of hyfe's); the solutions are not compared here.
- **Time steps**, fixed, {env['STEPS']} from the start: hyfe level:dt {env['BENCH_HYFE_DT']}(CFL about
  1.5–2, as the case's own CFL-adaptive run); step-35 refinements:dt {env['BENCH_S35_DT']}in its units
  (0.015 is 0.0015 in hyfe's; by mean cell size, its 3-refinement mesh lies between hyfe's levels 1
  and 2, and so does its CFL number).
- **DoFs** = velocity DoFs (both components) + pressure DoFs; step-35 prints dim(X_h) (both components)
  and dim(M_h). No size of step-35 matches hyfe's: 2 refinements give 9,080 DoFs, 3 give 35,440, 4 give
  about 141,000; 3 refinements lie within a factor 2 of both hyfe levels. step-35's cost per DoF-step
  grows with the mesh (its ILU-preconditioned iteration counts grow), so comparing hyfe's level 2 with
  the smaller step-35 favours step-35.
- **Loop wall.** hyfe: the "hyfe: done in … (… s wall)" line, which times the whole time loop (every step:
  constraints, assembly, solves, the pressure update, forces and probes, statistics) after the set-up
  (mesh, DoFs, matrices, and the pressure preconditioner, which is built once since the pressure
  Laplacian is constant). step-35: a timer around its time loop (after the initial `output_results(1)`,
  before the final `output_results(n_steps)`); it includes its first step, in which it builds the ILU of
  the pressure Laplacian and the LU factorisation of the pressure mass matrix (one-off set-ups that hyfe
  does before its loop): the column "without its first step" leaves that step out. Time per step =
  loop wall / steps; DoF-steps/s = DoFs × steps / loop wall; wall per DoF-step is its inverse.
- **Breakdown** (medians over the steps, so that they need not add up to the mean time per step; "rest"
  is the time per step minus the listed medians). hyfe, from `stats.csv` (rank 0): `assembly_time`
  (velocity system and pressure right-hand side), `velocity_solve_time` (set-up of the velocity
  preconditioner, `block-ilu`, refactorised every step (numerically, in place), plus GMRES), `velocity_preconditioner_setup_time`,
  `pressure_solve_time` (CG with BoomerAMG), closure 0 (closure `none`), `output_time` (0: no field
  output); the rest is the rotational pressure update (a CG mass solve), forces, probes and statistics.
  step-35, from the timers the script adds: assembly = `assemble_advection_term()`; velocity solve = the
  rest of `diffusion_step()` (right-hand sides, copying the matrix, boundary values, the ILU set-up every
  10 steps, one GMRES per velocity component); pressure solve = `projection_step()` (right-hand side,
  boundary values, CG with ILU); pressure update = `update_pressure()` (the rotational correction with
  the direct mass solve). step-35's velocity iterations are the sum over its two component solves. Its
  solvers stop at 1e-8 relative to the right-hand side, hyfe's at 1e-8 relative (the case's setting).
- **Threads and cores.** step-35 runs with `DEAL_II_NUM_THREADS=1` (else deal.II would solve its two
  velocity components and assemble on both cores); hyfe with `OMP_NUM_THREADS=1`, one MPI rank per core.
  OpenMPI binds each rank to a core (its default for 2 ranks or fewer; rank 0 to core {env['CORE']}
  here), so step-35 is pinned to core {env['CORE']} with `taskset`: under load, both programs then meet
  the same competition (an unpinned process could move to the less busy core, a bound rank cannot).
- **Load and CPU time.** The runs alternate (per repeat and level: hyfe on each rank count, step-35
  right after hyfe on 1 rank), so that a changing load affects both programs alike, as far as it
  can. The CPU time of the time loop is measured too: step-35 with `std::clock()` around the loop
  (one thread), hyfe by reading utime + stime of its processes from `/proc` when rank 0 prints the
  line that starts the loop and the "done in" line (summed over the ranks; with 2 ranks it includes
  MPI's busy waiting). "loop CPU / (wall × ranks)" in the table of all runs is the share of a core
  each process got during its loop: values well below 1 mean that other jobs were running on the
  machine then. The CPU time is much less sensitive to such jobs than the wall time (not entirely:
  shared caches and memory bandwidth), so the ratio of CPU time per DoF-step is the better estimate of
  what an idle machine would give. Process wall and CPU (from `/usr/bin/time`) include start-up and
  set-up.

## Changes to step-35

`step-35.cc`, `parameter-file.prm` and `nsbench2.inp` from `{env['EXAMPLES']}` are copied into a
temporary folder (not part of this repository) and built with `cmake -DCMAKE_BUILD_TYPE=Release`. The
algorithm is not changed: sed inserts a namespace `bench` (wall-clock timers, iteration counters, one
line of output per step) after `#include <iostream>`, and these lines:

{fence}
{env['BENCH_PATCH']}
{fence}

The parameter file: `final_time` = (steps + 1.5) × dt, because the loop runs steps 2 … ⌊final_time / dt⌋;
`output_interval` large, so that it writes only its initial and final fields, outside the timed loop;
everything else as in the tutorial (rotational form, GMRES(30) with ILU(70 off-diagonals) renewed every
10 steps, eps 1e-8):

{fence}
{env['BENCH_S35_PRM_DIFF']}
{fence}

## hyfe's parameter files

`cases/dfg-2d-2/case.prm` with these changes:

{fence}
{env['BENCH_PRM_DIFF']}
{fence}

## Commands

{fence}
cmake/install-deps.sh --benchmark
cmake -S . -B {build} -G Ninja -DHYFE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release   # when not configured
ninja -C {build} hyfe
# $TMP: the temporary folder of the script
cmake -S $TMP/step-35 -B $TMP/step-35/build -DCMAKE_BUILD_TYPE=Release && make -C $TMP/step-35/build
# {env['REPEATS']} repeats; in each, for L in {env['HYFE_LEVELS']}: N in {env['HYFE_RANKS']}, and step-35 right after N = 1
# run-hyfe.py (written by the script) copies the output to LOG and reads the CPU time of the loop from /proc
(cd $TMP/hyfe-lL-npN && OMP_NUM_THREADS=1 python3 $TMP/run-hyfe.py LOG LOG.loopcpu \\
   mpirun -np N sh -c 'exec /usr/bin/time -o "$0.time.$OMPI_COMM_WORLD_RANK" -f "TIME %e %U %S" "$@"' LOG {build}/hyfe $TMP/hyfe-lL.prm)
(cd $TMP/step-35-rR && DEAL_II_NUM_THREADS=1 taskset -c {env['CORE']} /usr/bin/time -f "TIME %e %U %S" $TMP/step-35/build/step-35)   # R in {env['STEP35_REFINES']}
{fence}

## All runs

{chr(10).join(raw)}
"""
open(report, "w").write(md)
EOF
say "wrote $REPORT"
