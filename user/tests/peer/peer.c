/*
 * peer.c - the program the suite spawns in its own address space
 * (user/tests/t_xas.c). Its CPool slot 0 holds a channel; it serves
 * calls on it forever. Request word 0 says what to do:
 *
 *   PEER_ECHO   (w1..w3)   reply w1+1, w2+1, w3+1 and the badge it saw
 *   PEER_READ   (addr)     reply the word at addr (faults if unmapped)
 *   PEER_WRITE  (addr, v)  store v at addr, reply 0
 *   PEER_SIGNAL            a cap came with the call into slot 5:
 *                          signal it (a notification), reply its type
 *   PEER_WHERE             reply the address of a global of its own
 *
 * main's argument is a value it returns for PEER_ARG, so the test can
 * see the spawner's argument arrived.
 */
#include "peer.h"
#include "syscall.h"

static volatile uint64_t own_global = 0x5eed;

int main(void *arg)
{
	struct cairn_msg in, out = { .cap = CAIRN_NO_SLOT };
	int err;

	uthread_current()->tb->recv_slot = PEER_RECV_SLOT;
	err = cairn_chan_recv(PEER_CHAN_SLOT, PEER_RECV_SLOT, &in);
	for (;;) {
		uint64_t r0 = 0, r1 = 0, r2 = 0, r3 = err;

		if (!err) {
			switch (in.words[0]) {
			case PEER_ECHO:
				r0 = in.words[1] + 1;
				r1 = in.words[2] + 1;
				r2 = in.words[3] + 1;
				r3 = in.badge;
				break;
			case PEER_READ:
				r0 = *(volatile uint64_t *)(uintptr_t)in.words[1];
				break;
			case PEER_WRITE:
				*(volatile uint64_t *)(uintptr_t)in.words[1] = in.words[2];
				break;
			case PEER_SIGNAL: {
				struct cairn_cap_info i;

				r0 = in.info;
				if ((in.info & CAIRN_MSG_CAP) && !cairn_cap_identify(PEER_RECV_SLOT, &i)) {
					r1 = i.type;
					r2 = cairn_ntfn_signal(PEER_RECV_SLOT);
					cairn_cap_delete(PEER_RECV_SLOT);
				}
				break;
			}
			case PEER_WHERE:
				r0 = (uintptr_t)&own_global;
				r1 = own_global;
				break;
			case PEER_ARG:
				r0 = (uintptr_t)arg;
				break;
			}
		}
		out.info = CAIRN_MSGINFO(4, 0);
		out.words[0] = r0;
		out.words[1] = r1;
		out.words[2] = r2;
		out.words[3] = r3;
		err = cairn_chan_reply_recv(PEER_CHAN_SLOT, &out, PEER_RECV_SLOT, &in);
	}
}
