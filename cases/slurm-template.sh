#!/bin/bash
# Slurm batch script template for hyfe. Copy next to a case.prm, adjust, then: sbatch slurm-template.sh
#SBATCH --job-name=hyfe
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=32        # MPI ranks per node
#SBATCH --cpus-per-task=1           # one core per rank; raise together with the LibTorch threads of learned modules
#SBATCH --time=01:00:00
#SBATCH --output=hyfe-%j.log

set -euo pipefail
HYFE=${HYFE:-$HOME/hyfe/build/hyfe}  # path to the hyfe executable
CASE=${CASE:-case.prm}

export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
# check the case before queuing the ranks' work: bad input stops here with a clear message
"$HYFE" --validate "$CASE"
srun --mpi=pmix "$HYFE" "$CASE"     # or: mpirun -np "$SLURM_NTASKS" "$HYFE" "$CASE"
