/* peer.h - the requests user/tests/peer/peer.c serves (see there). */
#ifndef TESTS_PEER_H
#define TESTS_PEER_H

#include <stdint.h>
#include "uthread.h"

#define PEER_CHAN_SLOT 0
#define PEER_RECV_SLOT 5

enum peer_request {
	PEER_ECHO = 1,
	PEER_READ,
	PEER_WRITE,
	PEER_SIGNAL,
	PEER_WHERE,
	PEER_ARG,
};

#endif
