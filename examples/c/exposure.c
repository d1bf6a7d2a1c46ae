/*
 * exposure.c: the whole job of an exposure-notification app, through the C
 * API of bluezone.
 *
 * For each scheme (gaen, bluezone with 96 slots a day, b3) it generates six
 * daily keys, derives their IDs for one day with bz_derive_range, and
 * simulates a phone's encounter log: a few of those IDs planted at times
 * inside (or, once, just after) their intervals, among random noise, plus
 * two sightings that must not match (an ID seen hours after its interval,
 * and an ID of a key that is never published). It then publishes five of
 * the keys, builds the log's index, matches, prints every exposure found,
 * and checks that exactly the planted exposures were found. It also checks
 * the GAEN metadata round trip and the library version.
 *
 * Exit status 0 when everything was as planted, 1 otherwise.
 *
 * Build (see README.md):
 *   cargo build -p bluezone-ffi
 *   cc -Wall -Wextra -Werror -pedantic -std=c11 -Icrates/bluezone-ffi/include \
 *      examples/c/exposure.c target/debug/libbluezone_ffi.a \
 *      -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o exposure
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bluezone.h"

/* Keys generated per scheme; the last one is never published. */
#define KEYS 6
#define PUBLISHED (KEYS - 1)
/* Random sightings in the log besides the planted ones. */
#define NOISE 40
/* The day of the simulation: 2025-11-22, in days since 1970-01-01. */
#define DAY 20414
/* The most intervals in a day (bluezone with 144 slots; 96 used here). */
#define MAX_PER_DAY 144

/* A planted sighting: the ID of `key` for interval `rolling_start + offset`,
 * seen `shift` intervals later (within the tolerance when small), and
 * whether it must match. */
struct plant {
    unsigned key;
    uint32_t offset;
    uint32_t shift;
    int expected;
};

/* An exposure, as the matcher reports it. */
struct exposure {
    uint32_t key_index;
    uint32_t interval;
    uint32_t encounter_index;
};

/* Reports a failed call with the library's message; returns whether `result`
 * is BZ_RESULT_OK. */
static int ok(bz_result result, const char *what)
{
    char message[512];
    size_t len = 0;

    if (result == BZ_RESULT_OK) {
        return 1;
    }
    if (bz_last_error_message(message, sizeof message, &len) != BZ_RESULT_OK) {
        strcpy(message, "(no message)");
    }
    fprintf(stderr, "exposure: %s failed (code %" PRIu32 "): %s\n", what, (uint32_t)result,
            message);
    return 0;
}

/* A small deterministic generator for the noise (xorshift64). */
static uint64_t noise_state = 0x9e3779b97f4a7c15u;

static uint64_t next_noise(void)
{
    noise_state ^= noise_state << 13;
    noise_state ^= noise_state >> 7;
    noise_state ^= noise_state << 17;
    return noise_state;
}

static int compare_exposures(const void *a, const void *b)
{
    const struct exposure *x = a;
    const struct exposure *y = b;
    if (x->key_index != y->key_index) {
        return x->key_index < y->key_index ? -1 : 1;
    }
    if (x->encounter_index != y->encounter_index) {
        return x->encounter_index < y->encounter_index ? -1 : 1;
    }
    if (x->interval != y->interval) {
        return x->interval < y->interval ? -1 : 1;
    }
    return 0;
}

/* Checks the GAEN metadata round trip with a key and one of its IDs. */
static int check_metadata(const uint8_t *tek, const uint8_t *rpi)
{
    const uint8_t metadata[BZ_GAEN_METADATA_LEN] = {0x40, 0x08, 0x00, 0x00};
    uint8_t buffer[BZ_GAEN_METADATA_LEN];

    if (!ok(bz_gaen_encrypt_metadata(tek, 16, rpi, 16, metadata, sizeof metadata, buffer,
                                     sizeof buffer),
            "bz_gaen_encrypt_metadata")) {
        return 0;
    }
    /* Decrypted in place: `out` may be the input buffer. */
    if (!ok(bz_gaen_decrypt_metadata(tek, 16, rpi, 16, buffer, sizeof buffer, buffer,
                                     sizeof buffer),
            "bz_gaen_decrypt_metadata")) {
        return 0;
    }
    if (memcmp(buffer, metadata, sizeof metadata) != 0) {
        fprintf(stderr, "exposure: the GAEN metadata did not survive encryption\n");
        return 0;
    }
    printf("gaen: metadata round trip ok\n");
    return 1;
}

/* Runs the simulation for one scheme; returns whether it went as planted. */
static int run(uint32_t scheme, uint32_t per_day)
{
    const char *name = bz_scheme_name(scheme);
    const size_t key_len = bz_scheme_key_len(scheme);
    const size_t id_len = bz_scheme_id_len(scheme);
    uint32_t seconds = 0;
    uint32_t day_length;
    uint32_t rolling_start;

    uint8_t keys[KEYS][BZ_MAX_KEY_LEN];
    /* The IDs of every key for the whole day, back to back. */
    static uint8_t ids[KEYS][MAX_PER_DAY * BZ_MAX_ID_LEN];
    uint32_t starts[PUBLISHED];
    uint32_t periods[PUBLISHED];

    struct plant plants[7];
    const size_t plant_count = sizeof plants / sizeof plants[0];
    enum { ROWS = 7 + NOISE };
    uint8_t log_ids[ROWS * BZ_MAX_ID_LEN];
    int64_t times[ROWS];
    int8_t rssi[ROWS];
    int planted_at[ROWS];

    struct exposure expected[7];
    size_t expected_count = 0;
    struct exposure found[ROWS];
    uint32_t bulk_keys[ROWS];
    uint32_t bulk_intervals[ROWS];
    uint32_t bulk_encounters[ROWS];
    size_t copied = 0;

    bz_log *log = NULL;
    bz_index *index = NULL;
    bz_keys *published = NULL;
    bz_matches *matches = NULL;
    size_t match_count;
    size_t i;
    int good = 0;

    if (name == NULL || key_len == 0 || id_len == 0) {
        fprintf(stderr, "exposure: unknown scheme %" PRIu32 "\n", scheme);
        return 0;
    }
    if (!ok(bz_scheme_interval_seconds(scheme, per_day, &seconds), "bz_scheme_interval_seconds")) {
        return 0;
    }
    day_length = 86400u / seconds;
    rolling_start = (uint32_t)DAY * day_length;

    /* The keys, and the IDs of each for the day. */
    for (i = 0; i < KEYS; i++) {
        if (!ok(bz_generate_key(scheme, keys[i], sizeof keys[i]), "bz_generate_key") ||
            !ok(bz_derive_range(scheme, per_day, keys[i], key_len, rolling_start, rolling_start,
                                day_length, ids[i], sizeof ids[i]),
                "bz_derive_range")) {
            return 0;
        }
    }
    for (i = 0; i < PUBLISHED; i++) {
        starts[i] = rolling_start;
        periods[i] = day_length;
    }

    /* The plan: five sightings that must match, two that must not. */
    plants[0] = (struct plant){1, 10, 0, 1};
    plants[1] = (struct plant){1, 11, 0, 1};
    plants[2] = (struct plant){3, 70, 0, 1};
    plants[3] = (struct plant){4, day_length - 1, 0, 1}; /* the day's last interval */
    plants[4] = (struct plant){0, 5, 1, 1};              /* seen one interval late */
    plants[5] = (struct plant){2, 30, 20, 0};            /* hours late: too late */
    plants[6] = (struct plant){PUBLISHED, 50, 0, 0};     /* a key never published */

    /* The log: noise everywhere, the plants at rows 3, 9, 15, … */
    for (i = 0; i < ROWS; i++) {
        size_t b;
        planted_at[i] = -1;
        for (b = 0; b < id_len; b++) {
            log_ids[i * id_len + b] = (uint8_t)next_noise();
        }
        times[i] = (int64_t)rolling_start * seconds + (int64_t)(next_noise() % 86400u);
        rssi[i] = (int8_t)(-40 - (int)(next_noise() % 60u));
    }
    for (i = 0; i < plant_count; i++) {
        const struct plant *p = &plants[i];
        const size_t row = 3 + 6 * i;
        const uint32_t interval = rolling_start + p->offset;
        memcpy(&log_ids[row * id_len], &ids[p->key][p->offset * id_len], id_len);
        times[row] = (int64_t)(interval + p->shift) * seconds + seconds / 2;
        planted_at[row] = (int)i;
        if (p->expected) {
            expected[expected_count].key_index = p->key;
            expected[expected_count].interval = interval;
            expected[expected_count].encounter_index = (uint32_t)row;
            expected_count++;
        }
    }
    qsort(expected, expected_count, sizeof expected[0], compare_exposures);

    if (scheme == BZ_SCHEME_GAEN && !check_metadata(keys[1], &ids[1][10 * id_len])) {
        return 0;
    }

    /* Index the log (the log can go once indexed), publish, match. */
    if (!ok(bz_log_new(log_ids, id_len, times, rssi, ROWS, &log), "bz_log_new")) {
        goto done;
    }
    if (!ok(bz_index_new(log, scheme, per_day, BZ_DEFAULT_TOLERANCE_SECONDS, &index),
            "bz_index_new")) {
        goto done;
    }
    bz_log_free(log);
    log = NULL;
    /* The keys live in rows of BZ_MAX_KEY_LEN bytes here; the library wants
     * them back to back. */
    {
        uint8_t packed[PUBLISHED * BZ_MAX_KEY_LEN];
        for (i = 0; i < PUBLISHED; i++) {
            memcpy(&packed[i * key_len], keys[i], key_len);
        }
        if (!ok(bz_keys_new(scheme, packed, starts, periods, PUBLISHED, &published),
                "bz_keys_new")) {
            goto done;
        }
    }
    /* b3 with two worker threads of its own, the others on the shared pool. */
    if (!ok(bz_match(index, published, scheme == BZ_SCHEME_B3 ? 2 : 0, &matches), "bz_match")) {
        goto done;
    }

    match_count = bz_matches_len(matches);
    if (match_count > ROWS) {
        fprintf(stderr, "exposure: %s: %zu matches, more than the log's %d rows\n", name,
                match_count, ROWS);
        goto done;
    }
    for (i = 0; i < match_count; i++) {
        struct exposure *e = &found[i];
        if (!ok(bz_matches_get(matches, i, &e->key_index, &e->interval, &e->encounter_index),
                "bz_matches_get")) {
            goto done;
        }
        printf("%s: exposure: key %" PRIu32 ", interval %" PRIu32 ", encounter %" PRIu32
               ", time %" PRId64 "\n",
               name, e->key_index, e->interval, e->encounter_index, times[e->encounter_index]);
    }
    if (!ok(bz_matches_copy(matches, 0, bulk_keys, bulk_intervals, bulk_encounters, ROWS, &copied),
            "bz_matches_copy")) {
        goto done;
    }

    /* Exactly the planted exposures, in the matcher's order, both ways. */
    good = match_count == expected_count && copied == match_count;
    for (i = 0; good && i < match_count; i++) {
        good = compare_exposures(&found[i], &expected[i]) == 0 &&
               bulk_keys[i] == found[i].key_index && bulk_intervals[i] == found[i].interval &&
               bulk_encounters[i] == found[i].encounter_index &&
               planted_at[found[i].encounter_index] >= 0;
    }
    if (good) {
        printf("%s: %zu exposures found, exactly the planted ones\n", name, match_count);
    } else {
        fprintf(stderr, "exposure: %s: found %zu exposures, %zu were planted:\n", name,
                match_count, expected_count);
        for (i = 0; i < expected_count; i++) {
            fprintf(stderr, "  planted: key %" PRIu32 ", interval %" PRIu32 ", encounter %" PRIu32
                            "\n",
                    expected[i].key_index, expected[i].interval, expected[i].encounter_index);
        }
    }

done:
    bz_matches_free(matches);
    bz_keys_free(published);
    bz_index_free(index);
    bz_log_free(log);
    return good;
}

int main(void)
{
    char version[64];
    uint32_t schemes[BZ_SCHEME_COUNT];
    size_t scheme_count = 0;
    size_t s;
    int good = 1;

    snprintf(version, sizeof version, "%d.%d.%d", BLUEZONE_VERSION_MAJOR, BLUEZONE_VERSION_MINOR,
             BLUEZONE_VERSION_PATCH);
    if (strcmp(version, bz_version()) != 0) {
        fprintf(stderr, "exposure: the header is of version %s, the library %s\n", version,
                bz_version());
        return 1;
    }
    printf("bluezone %s\n", bz_version());

    /* Every scheme of the library; bluezone with the 96 slots a day that
     * the 2020 app also used. */
    if (bz_schemes(schemes, BZ_SCHEME_COUNT, &scheme_count) != BZ_RESULT_OK) {
        fprintf(stderr, "exposure: bz_schemes failed\n");
        return 1;
    }
    for (s = 0; s < scheme_count; s++) {
        good &= run(schemes[s], schemes[s] == BZ_SCHEME_BLUEZONE ? 96 : 0);
    }

    if (!good) {
        fprintf(stderr, "exposure: FAILED\n");
        return 1;
    }
    printf("all planted exposures found, and nothing else\n");
    return 0;
}
