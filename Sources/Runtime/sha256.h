/* sha256.h — SHA-256 (FIPS 180-4), private to the graft runtime. */
#ifndef GRAFT_SHA256_H
#define GRAFT_SHA256_H
#include <stddef.h>
#include <stdint.h>

struct graft_sha256 {
    uint32_t h[8];
    uint64_t length;        /* bytes hashed so far */
    unsigned char block[64];
    size_t used;            /* bytes in block */
};

void graft_sha256_init(struct graft_sha256 *s);
void graft_sha256_update(struct graft_sha256 *s, const void *data, size_t n);
void graft_sha256_final(struct graft_sha256 *s, unsigned char digest[32]);
void graft_sha256(const void *data, size_t n, unsigned char digest[32]);
#endif
