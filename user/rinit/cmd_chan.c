/*
 * cmd_chan.c - shell commands on channels and notifications: send,
 * recv, signal, poll. The shell never blocks on IPC (it would stop
 * answering): it uses the non-blocking forms and says when they would
 * have waited.
 */
#include "chanmsg.h"
#include "shell.h"
#include "syscall.h"
#include "ustring.h"

typedef unsigned long long ull;

static int cmd_send(struct shell *sh, int argc, char **argv)
{
	struct cairn_msg m;
	int err;

	memset(&m, 0, sizeof(m));
	if (!strcmp(argv[1], "raw")) {
		if (argc < 3 || argc - 2 > CAIRN_MSG_INLINE_WORDS) {
			sh_printf(sh, "send: raw takes 1 to %d numbers\n", CAIRN_MSG_INLINE_WORDS);
			return -1;
		}
		for (int i = 2; i < argc; i++)
			if (sh_number(sh, argv[0], "word", argv[i], UINT64_MAX, &m.words[i - 2]))
				return -1;
		m.info = CAIRN_MSGINFO((unsigned)(argc - 2), 0);
	} else if (!strcmp(argv[1], "cap")) {
		struct cairn_cap_info c;

		if (argc != 3) {
			sh_printf(sh, "send: cap takes one slot\n");
			return -1;
		}
		if (sh_slot(sh, argv[0], argv[2], &m.cap) ||
		    sh_cap(sh, argv[0], m.cap, CAIRN_OBJ_NULL, &c))
			return -1;
		m.info = CAIRN_MSGINFO(0, CAIRN_MSG_CAP);
	} else {
		sh_printf(sh, "send: say 'send raw N...' or 'send cap SLOT'\n");
		return -1;
	}
	err = cairn_chan_try_send(CAIRN_SLOT_CHANNEL, &m);
	if (err == CAIRN_ERR_WOULD_BLOCK) {
		sh_printf(sh, "send: channel %u is full (is a child receiving?)\n", CAIRN_SLOT_CHANNEL);
		return -1;
	}
	return err ? sh_syserr(sh, argv[0], err) : 0;
}

static int cmd_recv(struct shell *sh, int argc, char **argv)
{
	struct cairn_msg m;
	struct cairn_cap_info c, *cp = NULL;
	uint64_t chan = CAIRN_SLOT_CHANNEL, slot;
	char line[160];
	int err;

	if (argc == 2 && (sh_slot(sh, argv[0], argv[1], &chan) ||
			  sh_cap(sh, argv[0], chan, CAIRN_OBJ_CHANNEL, &c)))
		return -1;
	if (!slot_alloc_get(sh->slots, &slot)) {
		sh_printf(sh, "recv: no free slot for a received cap\n");
		return -1;
	}
	err = cairn_chan_try_recv(chan, slot, &m);
	if (err || !(m.info & CAIRN_MSG_CAP))
		slot_alloc_set(sh->slots, slot, false);
	if (err == CAIRN_ERR_WOULD_BLOCK) {
		sh_printf(sh, "recv: no message on channel %llu\n", (ull)chan);
		return 0;
	}
	if (err)
		return sh_syserr(sh, argv[0], err);
	if ((m.info & CAIRN_MSG_CAP) && cairn_cap_identify(slot, &c) == 0)
		cp = &c;
	chanmsg_describe(&m, cp, line, sizeof(line));
	sh_printf(sh, "recv: %s\n", line);
	return 0;
}

static int one_ntfn(struct shell *sh, char **argv, uint64_t *slot)
{
	struct cairn_cap_info c;

	return sh_slot(sh, argv[0], argv[1], slot) ||
			       sh_cap(sh, argv[0], *slot, CAIRN_OBJ_NOTIFICATION, &c)
		       ? -1 : 0;
}

static int cmd_signal(struct shell *sh, int argc, char **argv)
{
	uint64_t slot;
	int err;

	(void)argc;
	if (one_ntfn(sh, argv, &slot))
		return -1;
	err = cairn_ntfn_signal(slot);
	return err ? sh_syserr(sh, argv[0], err) : 0;
}

static int cmd_poll(struct shell *sh, int argc, char **argv)
{
	uint64_t slot, bits;
	int err;

	(void)argc;
	if (one_ntfn(sh, argv, &slot))
		return -1;
	err = cairn_ntfn_poll(slot, &bits);
	if (err)
		return sh_syserr(sh, argv[0], err);
	sh_printf(sh, "poll: 0x%llx\n", (ull)bits);
	return 0;
}

const struct command commands_chan[] = {
	{ "send", "raw N... | cap SLOT",
	  "send up to 4 numbers, or a copy of a cap, over the channel in slot 255", 1, 5,
	  cmd_send },
	{ "recv", "[CHANNEL]", "take one message if there is one (channel 255 by default)", 0, 1,
	  cmd_recv },
	{ "signal", "NTFN", "signal the notification in slot NTFN", 1, 1, cmd_signal },
	{ "poll", "NTFN", "read and clear a notification's word without waiting", 1, 1,
	  cmd_poll },
	{ 0 },
};
