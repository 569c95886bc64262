/*
 * fault.c - a user fault handled by another thread and the faulting
 * thread resumed past the faulting instruction: sel4bench's
 * "fault -> handler -> reply" round trip.
 *
 * sel4bench's faulter executes an undefined instruction; its handler,
 * blocked in seL4_ReplyRecv on the fault endpoint, receives the fault
 * message (with the faulting ip) and replies with ip + the instruction's
 * size, which restarts the faulter there. Cairn has no fault reply: the
 * kernel sends a fault message (kind, ip, address, code) to the task's
 * fault channel and leaves the task Faulted, and the handler restarts it
 * with TASK_SET_REGS (the ip) and TASK_RESUME. So the handler's
 * counterpart of seL4_ReplyRecv is three calls: TASK_SET_REGS,
 * TASK_RESUME, CHAN_RECV.
 *
 * The handler has the higher priority (200, the faulter 100), so that,
 * as in seL4, it is blocked in its receive whenever the faulter faults,
 * and the faulter runs again only when the handler blocks in its next
 * receive (in seL4 that is the receive half of ReplyRecv). Both threads
 * share this program's address space.
 *
 * Per sample, as sel4bench's fault benchmark reports them:
 *   round trip     the faulter's timestamp just before the faulting
 *                  instruction to its timestamp just after it, once it
 *                  runs again: the exception, the kernel's fault path
 *                  (no console line: the fault has a handler), the
 *                  message to the waiting handler, the switch to it, its
 *                  receive returning, its TASK_SET_REGS and TASK_RESUME,
 *                  its next CHAN_RECV blocking, and the switch back.
 *   to handler     the faulter's timestamp before the fault to the
 *                  handler's just after its receive returns.
 *   handler back   the handler's timestamp before TASK_SET_REGS to the
 *                  faulter's after the faulting instruction.
 */
#include <cairn/bootinfo.h>
#include <cairn/fault.h>
#include "bench.h"
#include "console.h"

/* The faulting instruction, as sel4bench's utils_undefined_instruction,
 * and its size: the handler resumes the faulter at ip + FAULT_INSN_SIZE. */
#if defined(__x86_64__)
#define FAULT_INSN "ud2"
#define FAULT_INSN_SIZE 2
#elif defined(__aarch64__)
#define FAULT_INSN "udf #0"
#define FAULT_INSN_SIZE 4
#else
#error "unknown architecture"
#endif

static struct uthread_stack faulter_stack, handler_stack;
static uint64_t chan, done, faulter_task;
static volatile uint64_t t_handler_in, t_handler_out;
static volatile int handler_error;
static uint64_t round_samples[BENCH_SAMPLES], in_samples[BENCH_SAMPLES],
	out_samples[BENCH_SAMPLES];

/* CHAN_RECV on the fault channel; the faulting ip (message word 1), or 0
 * when what came is not the fault we provoke. */
static uint64_t recv_fault(void)
{
	const uint64_t a[6] = { chan, 0, 0, 0, 0, 0 };
	uint64_t r[6]; /* badge, info, words 0..3 */
	uint64_t err = arch_syscall(CAIRN_SYS_CHAN_RECV, a, r);
	if (err || r[2] != CAIRN_FAULT_INVALID_OPCODE)
		return 0;
	return r[3];
}

static void handler(uint64_t arg)
{
	(void)arg;
	uint64_t ip = recv_fault();
	while (ip) {
		t_handler_in = bench_tsc();
		t_handler_out = bench_tsc();
		int err = (int)raw_sys(CAIRN_SYS_TASK_SET_REGS, faulter_task, CAIRN_REG_IP,
				       ip + FAULT_INSN_SIZE, 0, 0, 0);
		if (!err)
			err = (int)raw_sys(CAIRN_SYS_TASK_RESUME, faulter_task, 0, 0, 0, 0, 0);
		if (err) {
			handler_error = err;
			break;
		}
		ip = recv_fault(); /* blocks: the faulter runs */
	}
	if (!handler_error)
		handler_error = CAIRN_ERR_INVALID_ARGUMENT; /* an unexpected message */
	cairn_ntfn_signal(done);
}

static void faulter(uint64_t arg)
{
	(void)arg;
	for (unsigned i = 0; i < BENCH_WARMUP + BENCH_SAMPLES; i++) {
		uint64_t t0 = bench_tsc();
		__asm__ volatile(FAULT_INSN ::: "memory"); /* resumed after it */
		uint64_t t1 = bench_tsc();
		if (i >= BENCH_WARMUP) {
			round_samples[i - BENCH_WARMUP] = t1 - t0;
			in_samples[i - BENCH_WARMUP] = t_handler_in - t0;
			out_samples[i - BENCH_WARMUP] = t1 - t_handler_out;
		}
	}
	cairn_ntfn_signal(done);
}

static int round_trips(struct bench_env *env)
{
	struct bench_thread h, f;
	int err = bench_new_object(env, CAIRN_OBJ_CHANNEL, 0, &chan);
	if (!err)
		err = bench_new_object(env, CAIRN_OBJ_NOTIFICATION, 0, &done);
	/* Main (priority 255) runs on until it waits, so the faulter gets its
	 * fault channel before its first instruction. */
	if (!err)
		err = bench_thread_start(env, &h, &handler_stack, CAIRN_SLOT_VSPACE, 200,
					 handler, 0, "fault-handler");
	if (err)
		return err;
	if (!(err = bench_thread_start(env, &f, &faulter_stack, CAIRN_SLOT_VSPACE, 100,
				       faulter, 0, "faulter"))) {
		faulter_task = f.task;
		err = cairn_task_configure(f.task, CAIRN_TASK_FIELD_FAULT, chan, 0);
		if (!err) {
			uint64_t bits;
			err = cairn_ntfn_wait(done, &bits);
		}
		cairn_task_suspend(f.task);
	}
	cairn_task_suspend(h.task);
	return err ? err : handler_error;
}

void bench_fault(struct bench_env *env)
{
	int err = round_trips(env);
	if (err) {
		printf("bench: fault round trip: %s\n", cairn_strerror(err));
		return;
	}
	bench_report("fault round trip (undefined instruction)", round_samples, BENCH_SAMPLES,
		     bench_tsc_overhead);
	bench_report("fault to handler", in_samples, BENCH_SAMPLES, bench_tsc_overhead);
	bench_report("fault handler to faulter", out_samples, BENCH_SAMPLES, bench_tsc_overhead);
}
