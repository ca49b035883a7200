/* Relay between the caller's stdio and the sandbox's pty master. */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sys.h"
#include "tty.h"

void tty_relay_init(struct tty_relay *t)
{
	t->master = -1;
	t->in = 0;
	t->out = 1;
	t->master_open = false;
	t->stdin_open = false;
	t->raw = false;
}

void tty_relay_resize(struct tty_relay *t)
{
	struct winsize ws;
	if (t->master >= 0 &&
	    (ioctl(t->in, TIOCGWINSZ, &ws) == 0 || ioctl(t->out, TIOCGWINSZ, &ws) == 0))
		ioctl(t->master, TIOCSWINSZ, &ws);
}

void tty_relay_start(struct tty_relay *t, int master, bool interactive)
{
	t->master = master;
	t->master_open = true;
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	t->stdin_open = interactive;
	tty_relay_resize(t);
	if (interactive && isatty(t->in) && tcgetattr(t->in, &t->saved) == 0) {
		struct termios raw = t->saved;
		cfmakeraw(&raw);
		if (tcsetattr(t->in, TCSADRAIN, &raw) == 0)
			t->raw = true;
	}
	/* Newlines become CR LF once: in the pty when the caller's terminal is raw, else in the
	 * caller's terminal if any (a pipe or file gets plain LF, not LF made CR LF twice). A
	 * relay to other fds than the caller's own (a remote terminal: ward serve) gets the pty's
	 * bytes as they are. */
	struct termios pt;
	bool own = t->in == 0 && t->out == 1;
	if (own && !t->raw && tcgetattr(master, &pt) == 0) {
		pt.c_oflag &= ~(tcflag_t)ONLCR;
		tcsetattr(master, TCSANOW, &pt);
	}
}

int tty_relay_fds(struct tty_relay *t, struct pollfd *pfd)
{
	if (t->master < 0)
		return 0;
	int n = 0;
	if (t->master_open)
		pfd[n++] = (struct pollfd){.fd = t->master, .events = POLLIN};
	if (t->stdin_open)
		pfd[n++] = (struct pollfd){.fd = t->in, .events = POLLIN};
	return n;
}

/* Returns false when the master has nothing more to give. */
static bool copy_master(struct tty_relay *t)
{
	char buf[16384];
	ssize_t r = read(t->master, buf, sizeof(buf));
	if (r > 0)
		return write_all(t->out, buf, (size_t)r) == 0;
	return r < 0 && (errno == EINTR || errno == EAGAIN);
}

void tty_relay_io(struct tty_relay *t, const struct pollfd *pfd, int n)
{
	for (int i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == t->master) {
			t->master_open = copy_master(t);
		} else if (pfd[i].fd == t->in) {
			char buf[4096];
			ssize_t r = read(t->in, buf, sizeof(buf));
			if (r > 0)
				write_all(t->master, buf, (size_t)r);
			else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
				t->stdin_open = false;
				/* End of input: the terminal's EOF character, as a typist would. */
				char eof = 4;
				write_all(t->master, &eof, 1);
			}
		}
	}
}

void tty_relay_end(struct tty_relay *t)
{
	if (t->master >= 0) {
		struct pollfd p = {.fd = t->master, .events = POLLIN};
		while (poll(&p, 1, 0) > 0 && copy_master(t))
			;
		close(t->master);
		t->master = -1;
	}
	if (t->raw)
		tcsetattr(t->in, TCSADRAIN, &t->saved);
	t->raw = false;
}
