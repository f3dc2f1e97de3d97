#!/usr/bin/env bash
# Poisson benchmark of the foundation issue: hyfe against deal.II's step-40 tutorial.
#
# Both programs solve -Δu = f on the unit square, u = 0 on the boundary, with Q2 elements, about
# 0.5 M DoFs, on NP MPI ranks, with CG + hypre BoomerAMG (through PETSc) to 1e-6 ||b||; f = 1 above
# the curve y = 0.5 + 0.25 sin(4πx) and -1 below (step-40's right-hand side). Programs:
#   step-40          the tutorial (adaptive mesh; its last cycle, 526,381 DoFs), lightly patched
#   step-40-uniform  the same on hyfe's uniform mesh (525,625 DoFs): same matrix as hyfe's
#   hyfe-matched     hyfe with step-40's BoomerAMG options
#   hyfe-default     hyfe with its default BoomerAMG options
# Each runs REPEATS times (interleaved); the script prints a markdown table of the medians and
# writes it, with the machine, the versions and the exact commands, to benchmarks/poisson-step40.md.
#
#   benchmarks/poisson-step40.sh                         (about 1-2 minutes, plus the builds)
#   NP=2 REPEATS=3 KEEP_WORK=1 benchmarks/poisson-step40.sh
#
# Environment: NP (MPI ranks, 2), REPEATS (runs of each program, 3), WAIT_FOR_IDLE (seconds to wait
# before each run for a second with >= 90 % idle CPU, 0: no waiting), ATTEMPTS (a run during which
# other processes used > 10 % of the CPUs is repeated, up to this many times in all, 3),
# HYFE_SUBDIVISIONS (hyfe's
# mesh is N x N Q2 cells, 362: 525,625 DoFs), STEP40_CYCLES (step-40's refinement cycles, 8; the
# last is measured), KEEP_WORK=1 (keep the temporary folder with the step-40 copies, the logs and
# the parameter files). step-40's source is copied into that temporary folder only, never into
# the repository.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NP=${NP:-2}
REPEATS=${REPEATS:-3}
ATTEMPTS=${ATTEMPTS:-3}
SUBDIVISIONS=${HYFE_SUBDIVISIONS:-362}
STEP40_CYCLES=${STEP40_CYCLES:-8}
BUILD="$ROOT/build-bench"
REPORT="$ROOT/benchmarks/poisson-step40.md"
EXAMPLES=/usr/share/doc/libdeal.ii-doc/examples/step-40
TOLERANCE=1e-6

if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
say() { echo "poisson-step40: $*" >&2; }
fail() {
  say "error: $*"
  exit 1
}

# idle_percent: the share of idle CPU time over the next second, from /proc/stat
idle_percent() {
  local a b
  read -r -a a < <(grep '^cpu ' /proc/stat)
  sleep 1
  read -r -a b < <(grep '^cpu ' /proc/stat)
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $(((100 * (b[4] - a[4] + b[5] - a[5])) / (total > 0 ? total : 1)))
}
# before_run: with WAIT_FOR_IDLE=N, wait up to N s for a second with >= 90 % idle CPU; sets $idle
before_run() {
  local waited=0
  idle=$(idle_percent)
  while [ "$idle" -lt 90 ] && [ "$waited" -lt "${WAIT_FOR_IDLE:-0}" ]; do
    sleep 4
    waited=$((waited + 5))
    idle=$(idle_percent)
  done
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 1. dependencies (libdeal.ii-doc ships step-40's source) -----------------------------------
"$ROOT/cmake/install-deps.sh" --benchmark

# --- 2. hyfe, Release, in build-bench ----------------------------------------------------------
build_type=""
[ -f "$BUILD/CMakeCache.txt" ] && build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt")
if [ "$build_type" != Release ]; then
  say "configuring hyfe (Release) in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DHYFE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
say "building hyfe in $BUILD"
ninja -C "$BUILD" hyfe >/dev/null || fail "building hyfe failed (run: ninja -C $BUILD hyfe)"
HYFE="$BUILD/hyfe"

# --- 3. step-40: a patched copy in a temporary folder, built in Release --------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hyfe-poisson-step40.XXXXXX")
if [ "${KEEP_WORK:-0}" = 1 ]; then
  say "keeping $WORK"
else
  trap 'rm -rf "$WORK"' EXIT
fi
S40="$WORK/step-40"
mkdir -p "$S40"
for f in step-40.cc CMakeLists.txt; do
  if [ -f "$EXAMPLES/$f" ]; then
    cp "$EXAMPLES/$f" "$S40/$f"
  elif [ -f "$EXAMPLES/$f.gz" ]; then
    gunzip -c "$EXAMPLES/$f.gz" >"$S40/$f"
  else
    fail "$EXAMPLES/$f(.gz) not found; is libdeal.ii-doc installed?"
  fi
done
chmod u+w "$S40"/*
cp "$S40/step-40.cc" "$WORK/step-40.orig.cc"

# patch(): sed expression, then a grep pattern that must be present afterwards
patch_source() {
  sed -i "$1" "$S40/step-40.cc"
  grep -q -- "$2" "$S40/step-40.cc" || fail "patching step-40.cc failed ('$1'); another deal.II version?"
}
# (a) the tolerance: deal.II 9.4.1's step-40 stops at an absolute 1e-12 (later versions: 1e-6 ||b||)
patch_source "s/SolverControl solver_control(dof_handler.n_dofs(), 1e-12);/SolverControl solver_control(dof_handler.n_dofs(), $TOLERANCE * system_rhs.l2_norm());/" \
  "solver_control(dof_handler.n_dofs(), $TOLERANCE \* system_rhs.l2_norm())"
# (b) a timer section for the AMG set-up, nested in (and still counted by) the "solve" section
patch_source 's/^\( *\)preconditioner.initialize(system_matrix, data);/\1{ TimerOutput::Scope t_amg(computing_timer, "solve: AMG set-up"); preconditioner.initialize(system_matrix, data); }/' \
  'solve: AMG set-up'
# (c) no .vtu output (it is not measured, and costs time and disk)
patch_source 's/^\( *\)output_results(cycle);/\1(void)cycle; \/\/ benchmark: no output/' \
  'benchmark: no output'
# (d) the number of refinement cycles (8, as in the tutorial, unless STEP40_CYCLES says otherwise)
patch_source "s/const unsigned int n_cycles = [0-9]*;/const unsigned int n_cycles = $STEP40_CYCLES;/" \
  "n_cycles = $STEP40_CYCLES;"

# the same program on hyfe's mesh: one cycle on a uniform SUBDIVISIONS x SUBDIVISIONS mesh
S40U="$WORK/step-40-uniform"
mkdir -p "$S40U"
cp "$S40/CMakeLists.txt" "$S40/step-40.cc" "$S40U/"
sed -i "s/GridGenerator::hyper_cube(triangulation);/GridGenerator::subdivided_hyper_cube(triangulation, $SUBDIVISIONS);/;
        s/triangulation.refine_global(5);/triangulation.refine_global(0);/;
        s/const unsigned int n_cycles = [0-9]*;/const unsigned int n_cycles = 1;/" "$S40U/step-40.cc"
for pattern in "subdivided_hyper_cube(triangulation, $SUBDIVISIONS)" 'refine_global(0)' 'n_cycles = 1;'; do
  grep -q -- "$pattern" "$S40U/step-40.cc" ||
    fail "patching the uniform-mesh copy of step-40.cc failed ('$pattern'); another deal.II version?"
done

for dir in "$S40" "$S40U"; do
  say "building $(basename "$dir") (Release) in $dir/build"
  cmake -S "$dir" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release >"$dir/cmake.log" 2>&1 ||
    fail "configuring $dir failed, see $dir/cmake.log"
  make -C "$dir/build" -j"$(nproc)" >"$dir/make.log" 2>&1 || fail "building $dir failed, see $dir/make.log"
done

# --- 4. hyfe's parameter files ----------------------------------------------------------------
# amg_options: the boomeramg subsection; "matched" uses step-40's AMG options (deal.II's
# PETScWrappers::PreconditionBoomerAMG with PETSc 3.18's defaults: strong threshold 0.25, Falgout
# coarsening, classical interpolation, max row sum 0.9, symmetric-SOR/Jacobi, Gaussian elimination
# on the coarsest level), "default" keeps hyfe's defaults.
write_prm() { # file, output directory, extra boomeramg entries
  cat >"$1" <<EOF
# hyfe: Q2 Poisson, -Δu = f on (0,1)^2, u = 0 on the boundary; step-40's right-hand side
set dimension = 2
set physics   = advection-diffusion
subsection time
  set scheme = steady
end
subsection mesh
  set generator           = subdivided_hyper_rectangle
  set generator arguments = $SUBDIVISIONS, $SUBDIVISIONS : 0, 0 : 1, 1 : false
  set global refinements  = 0
end
subsection output
  set directory    = $2
  set write fields = false
end
subsection advection diffusion
  set finite element degree = 2
  set advection velocity    = 0; 0
  set diffusivity           = 1
  set reaction rate         = 0
  set source                = if(y > 0.5 + 0.25*sin(4*pi*x), 1, -1)
  subsection boundary conditions
    set dirichlet ids = 0
  end
  subsection linear solver
    set krylov method      = cg
    set relative tolerance = $TOLERANCE
    subsection preconditioner
      set type = boomeramg
      subsection boomeramg
$3
      end
    end
  end
end
EOF
}
write_prm "$WORK/hyfe-matched.prm" "$WORK/hyfe-matched" \
  "        set strong threshold = 0.25
        set coarsening       = Falgout
        set interpolation    = classical"
write_prm "$WORK/hyfe-default.prm" "$WORK/hyfe-default" "        # hyfe's defaults"

# --- 5. the runs, interleaved so that both programs see the same machine load ---------------------
RESULTS="$WORK/results.csv"
echo "program,run,dofs,iterations,assembly,amg_setup,cg,idle,others" >"$RESULTS"
# step-40's last cycle: DoFs, iterations and the TimerOutput rows (wall times, max over the ranks)
read_step40() { # log, program name, run
  awk -v program="$2" -v run="$3" '
    /^Cycle /                       { dofs = ""; its = ""; delete t }
    /Number of degrees of freedom:/ { dofs = $NF }
    /Solved in/                     { its = $3 }
    /^\| / && /s \|/ {
      n = split($0, f, "|"); name = f[2]; gsub(/^ +| +$/, "", name)
      v = f[4]; gsub(/[ s]/, "", v); t[name] = v
    }
    END {
      if (dofs == "" || its == "" || !("assembly" in t) || !("solve" in t) || !("solve: AMG set-up" in t))
        exit 1
      printf "%s,%s,%s,%s,%s,%.6g,%.6g\n", program, run, dofs, its, t["assembly"], t["solve: AMG set-up"],
             t["solve"] - t["solve: AMG set-up"]
    }' "$1"
}
# run_measured(): runs a command with its output in a log; prints the share of the machine's CPU
# time that *other* processes used meanwhile (busy time from /proc/stat minus the command's own
# CPU time), in %
run_measured() { # log, command...
  python3 - "$@" <<'EOF'
import os, resource, subprocess, sys

def cpu():  # (busy, total) jiffies of the whole machine
    v = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return sum(v) - v[3] - v[4], sum(v)

def own():  # CPU seconds of the finished children (mpirun and its ranks)
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

busy0, total0 = cpu()
own0 = own()
with open(sys.argv[1], "w") as log:
    rc = subprocess.call(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT)
busy1, total1 = cpu()
hz = os.sysconf("SC_CLK_TCK")
others = max(0.0, (busy1 - busy0) / hz - (own() - own0))
print(round(100 * others * hz / max(total1 - total0, 1)))
sys.exit(rc)
EOF
}
# attempt(): before_run, then run_measured, again (ATTEMPTS times at most) while other processes
# used more than 10 % of the CPUs during the run; sets $others
attempt() { # log, command...
  local i
  for i in $(seq 1 "$ATTEMPTS"); do
    before_run
    others=$(run_measured "$@") || fail "'${*:2}' failed, see $1"
    [ "$others" -le 10 ] && return 0
    [ "$i" -lt "$ATTEMPTS" ] && say "  other processes used $others % of the CPUs during that run; again"
  done
  return 0
}
cd "$WORK"
for run in $(seq 1 "$REPEATS"); do
  for program in step-40 step-40-uniform; do
    say "run $run of $REPEATS: $program"
    log="$WORK/$program-run$run.log"
    attempt "$log" mpirun -np "$NP" "$WORK/$program/build/step-40"
    line=$(read_step40 "$log" "$program" "$run") || fail "cannot read the timings of $program from $log"
    echo "$line,$idle,$others" >>"$RESULTS"
  done
  for variant in matched default; do
    say "run $run of $REPEATS: hyfe ($variant AMG options)"
    log="$WORK/hyfe-$variant-run$run.log"
    rm -rf "$WORK/hyfe-$variant"
    attempt "$log" mpirun -np "$NP" "$HYFE" "$WORK/hyfe-$variant.prm"
    python3 - "$WORK/hyfe-$variant/stats.csv" "hyfe-$variant" "$run" "$idle" "$others" >>"$RESULTS" <<'EOF'
import csv, sys
row = list(csv.DictReader(open(sys.argv[1])))[-1]
print(",".join([sys.argv[2], sys.argv[3], row["dofs"], row["linear_iterations"], row["assembly_time"],
                row["preconditioner_setup_time"], row["solve_time"], sys.argv[4], sys.argv[5]]))
EOF
  done
done
cd "$ROOT"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 6. the report ----------------------------------------------------------------------------
export BENCH_CPU BENCH_VERSIONS BENCH_COMMIT BENCH_PATCH BENCH_PRM BENCH_DATE BENCH_NPROC
BENCH_CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
BENCH_NPROC=$(nproc)
BENCH_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
BENCH_VERSIONS=$(dpkg-query -W -f='${Package} ${Version}\n' libdeal.ii-dev 'libpetsc-real3.*-dev' libhypre-dev openmpi-bin 2>/dev/null |
  awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}' || true)
BENCH_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null || true)" ]; then
  BENCH_COMMIT="$BENCH_COMMIT (the work tree has uncommitted changes)"
fi
BENCH_PATCH=$(diff "$WORK/step-40.orig.cc" "$S40/step-40.cc" | grep '^>' | sed 's/^> *//' || true)
BENCH_PRM=$(sed "s|$WORK|\$TMP|g" "$WORK/hyfe-matched.prm")
WAIT_FOR_IDLE=${WAIT_FOR_IDLE:-0}
export NP REPEATS ATTEMPTS WAIT_FOR_IDLE SUBDIVISIONS STEP40_CYCLES TOLERANCE EXAMPLES load_before load_after

python3 - "$RESULTS" "$REPORT" <<'EOF'
import csv, os, statistics, sys

results, report = sys.argv[1], sys.argv[2]
env = os.environ
rows = list(csv.DictReader(open(results)))
names = {"step-40": "step-40, adaptive mesh (reference)",
         "step-40-uniform": "step-40 on hyfe's uniform mesh",
         "hyfe-matched": "hyfe, boomeramg with step-40's AMG options",
         "hyfe-default": "hyfe, boomeramg with hyfe's default options"}
summary = {}
for program in names:
    runs = [r for r in rows if r["program"] == program]
    assembly = [float(r["assembly"]) for r in runs]
    setup = [float(r["amg_setup"]) for r in runs]
    cg = [float(r["cg"]) for r in runs]
    solve = [x + y for x, y in zip(setup, cg)]
    total = [x + y for x, y in zip(assembly, solve)]
    dofs = int(statistics.median([int(r["dofs"]) for r in runs]))
    summary[program] = dict(dofs=dofs, its=statistics.median([int(r["iterations"]) for r in runs]),
                            assembly=statistics.median(assembly), setup=statistics.median(setup),
                            cg=statistics.median(cg), solve=statistics.median(solve),
                            total=statistics.median(total),
                            rate=statistics.median([dofs / t for t in total]))
base = summary["step-40"]["total"]
same_mesh = summary["step-40-uniform"]["total"]

table = ["| program | DoFs | CG iterations | assembly [s] | AMG set-up [s] | CG [s] "
         "| solve = AMG set-up + CG [s] | assembly + solve [s] | DoFs/s | ratio to step-40 (adaptive) "
         "| ratio to step-40 (same mesh) |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for program, s in summary.items():
    ratio = f"{s['total'] / base:.2f}"
    if program.startswith("hyfe"):
        ratio = f"**{ratio}**"
    table.append(f"| {names[program]} | {s['dofs']:,} | {s['its']:g} | {s['assembly']:.3f} | {s['setup']:.3f} "
                 f"| {s['cg']:.3f} | {s['solve']:.3f} | {s['total']:.3f} | {s['rate']:,.0f} | {ratio} "
                 f"| {s['total'] / same_mesh:.2f} |")
verdict = []
for program in ["hyfe-matched", "hyfe-default"]:
    ratio = summary[program]["total"] / base
    verdict.append(f"- {names[program]}: ratio {ratio:.2f} to step-40 (adaptive), target (≤ 1.2) "
                   + ("**met**" if ratio <= 1.2 else "**not met**")
                   + f"; {summary[program]['total'] / same_mesh:.2f} to step-40 on the same mesh")
raw = ["| program | run | DoFs | CG iterations | assembly [s] | AMG set-up [s] | CG [s] | idle CPU before [%] | CPU used by others during [%] |",
       "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
for r in rows:
    raw.append(f"| {r['program']} | {r['run']} | {int(r['dofs']):,} | {r['iterations']} | {float(r['assembly']):.3f} "
               f"| {float(r['amg_setup']):.3f} | {float(r['cg']):.3f} | {r['idle']} | {r['others']} |")

print("\n".join(table))
print()
print("\n".join(verdict))

fence = "```"
np, reps, cycles, n = env["NP"], env["REPEATS"], env["STEP40_CYCLES"], env["SUBDIVISIONS"]
md = f"""# Poisson benchmark: hyfe against deal.II step-40

Generated on {env['BENCH_DATE']} by
`NP={np} REPEATS={reps} ATTEMPTS={env['ATTEMPTS']} WAIT_FOR_IDLE={env['WAIT_FOR_IDLE']} benchmarks/poisson-step40.sh`.

- machine: {env['BENCH_NPROC']} cores (`nproc`), CPU: {env['BENCH_CPU']} (`/proc/cpuinfo`)
- load average (1, 5, 15 min) before / after the runs: {env['load_before']} / {env['load_after']}. A run
  during which other processes used more than 10 % of the CPUs was repeated (up to {env['ATTEMPTS']} attempts);
  the last table gives, for each run kept, the idle CPU share just before it and the CPU share that
  other processes used during it
- software: {env['BENCH_VERSIONS']}
- hyfe: commit {env['BENCH_COMMIT']}, Release build in `build-bench`
- {np} MPI ranks; {reps} runs of each program, interleaved; every number below is the median over the runs

## Result

{chr(10).join(table)}

The issue's target is hyfe's assembly + solve within 1.2× of step-40's; the ratio is the median of
hyfe's (assembly + solve) over the median of step-40's (assembly + solve), where "solve" includes the
AMG set-up in both programs. The reference is step-40 as the tutorial runs it (adaptive mesh); the
last column compares with step-40 on exactly hyfe's mesh (same DoFs, same matrix up to rounding):

{chr(10).join(verdict)}

## What is measured

- **Problem.** -Δu = f on (0, 1)², u = 0 on the boundary, Q2 elements, f = 1 above the curve
  y = 0.5 + 0.25 sin(4πx) and -1 below (step-40's right-hand side; in hyfe the muparser expression
  `if(y > 0.5 + 0.25*sin(4*pi*x), 1, -1)`). Both assemble with the 3×3 Gauss rule and solve with
  PETSc's CG preconditioned by one BoomerAMG V-cycle per iteration, from a zero initial guess.
- **Meshes.** step-40 refines adaptively (Kelly estimator, hanging nodes); the last of its {cycles}
  cycles is measured, the earlier ones are not counted. hyfe uses a uniform {n}×{n} mesh; the DoF
  counts agree within 0.2 %. "step-40 on hyfe's uniform mesh" is the same patched program with one
  cycle on `GridGenerator::subdivided_hyper_cube(triangulation, {n})`: the same mesh, DoFs and
  matrix as hyfe's, which separates the cost of the code from that of the mesh.
- **assembly.** step-40: its "assembly" TimerOutput section (cell loop, distribute_local_to_global,
  compress). hyfe: `assembly_time` of stats.csv (the Dirichlet constraints of the step, the cell
  loop, distribute_local_to_global, compress).
- **solve = AMG set-up + CG.** step-40: its "solve" TimerOutput section, which *includes* the AMG
  set-up (and creating the vector and the solver, and distributing the constraints); the script adds
  a nested section "solve: AMG set-up" around `preconditioner.initialize()` to split it, and CG is
  "solve" minus that section. hyfe: `preconditioner_setup_time` (PCCreate + PCSetUp) plus
  `solve_time` (KSPSolve). Both "solve" columns include the AMG set-up: like is compared with like.
- **assembly + solve** is summed per run, then the median over the runs is taken; DoFs/s = DoFs /
  (assembly + solve), median over the runs. Not measured in either program: mesh generation and
  refinement, DoF distribution, sparsity patterns, start-up.
- **Timers.** Wall-clock times. step-40's TimerOutput reports the maximum over the ranks; hyfe's
  stats.csv holds rank 0's times (each measured phase ends in a collective operation). The machine
  may be shared: see the load average above; the runs are interleaved so that both programs see
  the same load.
- **Tolerance.** Both stop at 1e-6·‖b‖ (absolute tolerance 1e-6·‖b‖ in step-40's SolverControl,
  relative tolerance 1e-6 in hyfe), but step-40's PETSc CG tests the *preconditioned* residual ‖B r‖
  (KSP's default norm for CG, which deal.II's SolverControl is fed with), while hyfe tests the
  *unpreconditioned* residual ‖b - A x‖ (KSP_NORM_UNPRECONDITIONED). The iteration counts differ
  for that reason, with the same preconditioner.
- **AMG options.** step-40 uses deal.II's PETScWrappers::PreconditionBoomerAMG with
  `symmetric_operator = true`: strong threshold 0.25, max row sum 0.9, symmetric-SOR/Jacobi
  smoothing, Gaussian elimination on the coarsest level, and PETSc's defaults otherwise (Falgout
  coarsening, classical interpolation; checked with `-ksp_view`). "step-40's AMG options" sets hyfe's
  boomeramg to strong threshold 0.25, Falgout, classical (the other options already agree). "hyfe's
  default options" are strong threshold 0.5, HMIS coarsening, ext+i interpolation.
- **Mapping.** hyfe's mesh mover `none` maps with MappingQ of the element degree (2); step-40 uses
  MappingQ1. deal.II's FEValues skips recomputing the shape gradients on a cell that is a
  translation of the previous one only for degree-1 mappings, so step-40's FEValues::reinit does
  less work per cell.

## Changes to step-40

`step-40.cc` from `{env['EXAMPLES']}` is copied into a temporary folder (it is not
part of this repository), patched with sed, and built with `cmake -DCMAKE_BUILD_TYPE=Release`:

1. Tolerance: deal.II 9.4.1's tutorial stops at an absolute residual of 1e-12; set to
   `{env['TOLERANCE']} * system_rhs.l2_norm()` (as in later deal.II versions, and as hyfe).
2. A nested timer section "solve: AMG set-up" around `preconditioner.initialize(system_matrix, data)`
   (still counted in "solve").
3. No .vtu output (`output_results(cycle)` removed; it is not measured).
4. `n_cycles = {cycles}` (the tutorial's value is 8: its last cycle has about 0.5 M DoFs).

The patched lines:

{fence}
{env['BENCH_PATCH']}
{fence}

"step-40 on hyfe's uniform mesh" is a second copy with, in addition,
`GridGenerator::hyper_cube(triangulation)` replaced by
`GridGenerator::subdivided_hyper_cube(triangulation, {n})`, `refine_global(5)` by
`refine_global(0)`, and `n_cycles = 1`.

## Commands

{fence}
cmake/install-deps.sh --benchmark
cmake -S . -B build-bench -G Ninja -DHYFE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release   # when not configured
ninja -C build-bench hyfe
# $TMP: the temporary folder of the script
cmake -S $TMP/step-40 -B $TMP/step-40/build -DCMAKE_BUILD_TYPE=Release && make -C $TMP/step-40/build
cmake -S $TMP/step-40-uniform -B $TMP/step-40-uniform/build -DCMAKE_BUILD_TYPE=Release && make -C $TMP/step-40-uniform/build
# {reps} times each, interleaved:
mpirun -np {np} $TMP/step-40/build/step-40
mpirun -np {np} $TMP/step-40-uniform/build/step-40
mpirun -np {np} build-bench/hyfe $TMP/hyfe-matched.prm
mpirun -np {np} build-bench/hyfe $TMP/hyfe-default.prm
{fence}

hyfe's parameter file `hyfe-matched.prm` (`hyfe-default.prm` has no entries in
`subsection boomeramg`):

{fence}
{env['BENCH_PRM']}
{fence}

## All runs

{chr(10).join(raw)}
"""
open(report, "w").write(md)
EOF
say "wrote $REPORT"
