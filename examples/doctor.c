/* What this host lets libward do: print each check, fail when one is missing.
 * Build: cc doctor.c $(pkg-config --cflags --libs ward) */
#include <stdio.h>

#include <ward/ward.h>

int main(void)
{
	struct ward_check checks[64];
	size_t n = ward_doctor(checks, sizeof(checks) / sizeof(checks[0]));
	int missing = 0;
	for (size_t i = 0; i < n; i++) {
		static const char *const state[] = {"ok", "limited", "missing"};
		printf("%-8s %s: %s\n", state[checks[i].state], checks[i].name, checks[i].detail);
		if (checks[i].state == WARD_CHECK_MISSING)
			missing++;
	}
	printf("libward %s: %zu checks, %d missing\n", WARD_VERSION, n, missing);
	return n > 0 && missing == 0 ? 0 : 1;
}
