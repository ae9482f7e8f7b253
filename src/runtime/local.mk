# src/runtime/local.mk — the runtime: model handles, sessions (shape
# inference, kernel choice, memory plan, execution, state), the thread pool,
# Loops flattened into steps (control_flow.c), the memory budget, CPU detection and kernel-table choice, and the
# instruments' per-node estimates, and the device choice (the OpenCL
# backend itself is in src/runtime/opencl/).
libmote_core_la_SOURCES += src/runtime/model.c src/runtime/model_file.c \
	src/runtime/session.h src/runtime/session.c \
	src/runtime/session_plan.c src/runtime/session_state.c \
	src/runtime/shape_fold.h src/runtime/shape_fold.c \
	src/runtime/control_flow.h src/runtime/control_flow.c \
	src/runtime/planner.h src/runtime/planner.c \
	src/runtime/threadpool.h src/runtime/threadpool.c \
	src/runtime/budget.h src/runtime/budget.c src/runtime/cpu.h src/runtime/cpu.c \
	src/runtime/prepared.h src/runtime/prepared.c \
	src/runtime/instrument.h src/runtime/instrument.c \
	src/runtime/device.h src/runtime/device.c
