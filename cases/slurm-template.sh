#!/bin/bash
# Slurm batch script template for hyfe. Copy next to a case.prm, adjust, then: sbatch slurm-template.sh
# With 'subsection checkpoint / set interval = N' (or 'wall interval') in the case, a job that reaches its
# time limit is sent SIGTERM 5 minutes before (--signal), writes a checkpoint after its current step,
# stops with status 143 and requeues itself; the requeued job resumes from the newest complete checkpoint
# ('resume = auto', the default), continuing solution.pvd, stats.csv and forces.csv.
#SBATCH --job-name=hyfe
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=32        # MPI ranks per node
#SBATCH --cpus-per-task=1           # one core per rank; raise together with the LibTorch threads of learned modules
#SBATCH --time=01:00:00
#SBATCH --output=hyfe-%j.log
#SBATCH --open-mode=append          # the requeued job appends to the same log
#SBATCH --signal=B:TERM@300         # SIGTERM to this script 300 s before the time limit
#SBATCH --requeue

set -uo pipefail
HYFE=${HYFE:-$HOME/hyfe/build/hyfe}  # path to the hyfe executable
CASE=${CASE:-case.prm}

export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
# check the case before queuing the ranks' work: bad input stops here with a clear message
"$HYFE" --validate "$CASE" || exit 1

# forward the scheduler's SIGTERM to the ranks, which checkpoint and stop at the end of their step
srun --mpi=pmix "$HYFE" "$CASE" &   # or: mpirun -np "$SLURM_NTASKS" "$HYFE" "$CASE" &
run=$!
interrupted=0
trap 'interrupted=1; kill -TERM "$run"' TERM
wait "$run"; status=$?
if [ "$interrupted" -eq 1 ]; then
  wait "$run"; status=$?              # the first wait returns when the trap fires: wait for the checkpoint
fi
if [ "$status" -ge 128 ]; then
  echo "hyfe stopped by a signal (status $status): requeueing to resume from the last checkpoint"
  scontrol requeue "$SLURM_JOB_ID"
fi
exit "$status"
