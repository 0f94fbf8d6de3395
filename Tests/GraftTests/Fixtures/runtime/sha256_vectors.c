/* Prints the SHA-256 of known test vectors (FIPS 180-4 examples), computed by
 * the runtime's implementation, one hex digest a line. */
#include "../../../../Sources/Runtime/sha256.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void show(const unsigned char d[32]) {
    for (int i = 0; i < 32; i++) printf("%02x", d[i]);
    putchar('\n');
}

int main(void) {
    unsigned char d[32];
    const char *texts[] = {"", "abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                           "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"};
    for (int i = 0; i < 4; i++) { graft_sha256(texts[i], strlen(texts[i]), d); show(d); }
    /* one million 'a', fed in uneven pieces */
    struct graft_sha256 s;
    graft_sha256_init(&s);
    char a[997];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    for (size_t k = 1; left; k = k % 997 + 1) { size_t n = k < left ? k : left; graft_sha256_update(&s, a, n); left -= n; }
    graft_sha256_final(&s, d);
    show(d);
    /* every length from 0 to 200 bytes of 0..255, chained: exercises the padding boundaries */
    unsigned char buf[200], acc[32] = {0};
    for (int i = 0; i < 200; i++) buf[i] = (unsigned char)i;
    for (int len = 0; len <= 200; len++) {
        graft_sha256(buf, (size_t)len, d);
        for (int i = 0; i < 32; i++) acc[i] ^= d[i];
    }
    show(acc);
    return 0;
}
