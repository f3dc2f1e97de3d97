# Thin wrappers over cmake/install-deps.sh, CMake and CTest.
#   make run    install what is missing, build, run the default case on 2 MPI ranks
#   make test   install what is missing, build, run the quick test suite
SHELL := /bin/bash
BUILD ?= build
NP ?= 2
CASE ?= dfg-2d-2
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
# one BLAS/OpenMP thread per MPI rank
export OMP_NUM_THREADS := 1

.PHONY: deps build run test test-long format

deps:
	cmake/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD)

run: build
	cd cases/$(CASE) && mpirun -np $(NP) ../../$(BUILD)/hyfe case.prm

test: build
	cd $(BUILD) && ctest -L quick --output-on-failure

test-long: build
	cd $(BUILD) && ctest -L long --output-on-failure

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')
