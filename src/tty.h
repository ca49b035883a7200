/* Supervisor side of -t: relay between the caller's terminal and the sandbox's pty. */
#ifndef WARD_TTY_H
#define WARD_TTY_H

#include <poll.h>
#include <stdbool.h>
#include <termios.h>

struct tty_relay {
	int master;       /* -1 when no tty */
	int in, out;      /* the caller's side: 0 and 1 unless set after tty_relay_init */
	bool master_open; /* still giving output */
	bool stdin_open;  /* relaying the caller's stdin */
	bool raw;         /* caller's terminal switched to raw mode, restore at the end */
	struct termios saved;
};

void tty_relay_init(struct tty_relay *t);
void tty_relay_start(struct tty_relay *t, int master, bool interactive);
/* Adds the fds to watch at PFD (room for 2), returns how many. */
int tty_relay_fds(struct tty_relay *t, struct pollfd *pfd);
void tty_relay_io(struct tty_relay *t, const struct pollfd *pfd, int n);
void tty_relay_resize(struct tty_relay *t);
/* Copy what is left on the master, restore the caller's terminal, close. */
void tty_relay_end(struct tty_relay *t);

#endif
