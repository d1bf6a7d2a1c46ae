/*
 * misuse.c: every function of the C API called wrongly, from C, expecting an
 * exact result code and a sensible one-line message, never a crash. Run
 * under AddressSanitizer and UBSan by tests/c_programs.rs.
 *
 * Usage: misuse FIXTURES_DIR SCRATCH_DIR
 *   FIXTURES_DIR: crates/bluezone/tests/fixtures/gaen (a signed export zip
 *                 and its public key);
 *   SCRATCH_DIR: a directory where a garbage file may be written.
 *
 * Prints one line per failed check and a summary; exit status 0 when every
 * check passed.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bluezone.h"

static int passed = 0;
static int failed = 0;

/* Checks that a call returned `want` and, for an error, that the last error
 * message is one non-empty line naming a bz_ function. */
static void check_result(bz_result got, bz_result want, const char *call, int line)
{
    char message[1024];
    size_t len = 0;

    if (got != want) {
        char detail[1024] = "";
        if (bz_last_error_message(detail, sizeof detail, &len) != BZ_RESULT_OK) {
            strcpy(detail, "(no message)");
        }
        fprintf(stderr, "misuse.c:%d: %s returned %" PRIu32 ", expected %" PRIu32 " (%s)\n", line,
                call, (uint32_t)got, (uint32_t)want, detail);
        failed++;
        return;
    }
    if (bz_last_error_message(message, sizeof message, &len) != BZ_RESULT_OK) {
        fprintf(stderr, "misuse.c:%d: bz_last_error_message failed after %s\n", line, call);
        failed++;
        return;
    }
    if (want == BZ_RESULT_OK) {
        if (len != 0) {
            fprintf(stderr, "misuse.c:%d: %s succeeded but left the message \"%s\"\n", line, call,
                    message);
            failed++;
            return;
        }
    } else if (len == 0 || len >= sizeof message || strncmp(message, "bz_", 3) != 0 ||
               strchr(message, '\n') != NULL || strlen(message) != len) {
        fprintf(stderr, "misuse.c:%d: %s: not a sensible message: \"%s\" (%zu bytes)\n", line,
                call, message, len);
        failed++;
        return;
    }
    passed++;
}

/* Checks a condition. */
static void check_true(int condition, const char *text, int line)
{
    if (condition) {
        passed++;
    } else {
        fprintf(stderr, "misuse.c:%d: not true: %s\n", line, text);
        failed++;
    }
}

#define EXPECT(call, code) check_result((call), (code), #call, __LINE__)
#define CHECK(condition) check_true((condition), #condition, __LINE__)

/* Reads a whole file into memory (malloc'd), or NULL. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    uint8_t *data;
    long size;

    if (file == NULL) {
        return NULL;
    }
    if (fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 || fseek(file, 0, SEEK_SET) != 0) {
        fclose(file);
        return NULL;
    }
    data = malloc((size_t)size + 1);
    if (data != NULL && fread(data, 1, (size_t)size, file) != (size_t)size) {
        free(data);
        data = NULL;
    }
    fclose(file);
    *len = (size_t)size;
    return data;
}

static void misuse_error_messages(void)
{
    char buf[8];
    size_t len = 99;

    /* A failure, so that there is a message. */
    EXPECT(bz_generate_key(0, NULL, 0), BZ_RESULT_BAD_SCHEME);
    CHECK(bz_last_error_message(NULL, 8, &len) == BZ_RESULT_NULL_POINTER);
    CHECK(bz_last_error_message(buf, sizeof buf, NULL) == BZ_RESULT_NULL_POINTER);
    /* The length alone; the message is unchanged by the failed calls above. */
    CHECK(bz_last_error_message(NULL, 0, &len) == BZ_RESULT_OK && len > 20);
    /* Truncated, NUL-terminated, full length reported. */
    memset(buf, 'x', sizeof buf);
    CHECK(bz_last_error_message(buf, sizeof buf, &len) == BZ_RESULT_OK && len > sizeof buf);
    CHECK(buf[sizeof buf - 1] == '\0' && strlen(buf) == sizeof buf - 1);
    CHECK(strncmp(buf, "bz_gene", 7) == 0);
    /* A buffer of one byte gets only the NUL. */
    buf[0] = 'x';
    CHECK(bz_last_error_message(buf, 1, &len) == BZ_RESULT_OK && buf[0] == '\0');
}

static void misuse_schemes(void)
{
    uint32_t scheme = 77;
    uint32_t seconds = 77;
    char long_name[100];

    CHECK(bz_scheme_name(0) == NULL && bz_scheme_name(4) == NULL && bz_scheme_name(UINT32_MAX) == NULL);
    CHECK(bz_scheme_key_len(0) == 0 && bz_scheme_id_len(99) == 0);
    CHECK(strcmp(bz_scheme_name(BZ_SCHEME_BLUEZONE), "bluezone") == 0);

    {
        uint32_t schemes[BZ_SCHEME_COUNT + 1] = {77, 77, 77, 77};
        size_t count = 77;
        EXPECT(bz_schemes(schemes, BZ_SCHEME_COUNT, NULL), BZ_RESULT_NULL_POINTER);
        EXPECT(bz_schemes(NULL, 1, &count), BZ_RESULT_NULL_POINTER);
        EXPECT(bz_schemes(schemes, BZ_SCHEME_COUNT - 1, &count), BZ_RESULT_BUFFER_TOO_SMALL);
        CHECK(count == 77 && schemes[0] == 77);
        EXPECT(bz_schemes(NULL, 0, &count), BZ_RESULT_OK);
        CHECK(count == BZ_SCHEME_COUNT);
        EXPECT(bz_schemes(schemes, BZ_SCHEME_COUNT + 1, &count), BZ_RESULT_OK);
        CHECK(schemes[0] == BZ_SCHEME_GAEN && schemes[1] == BZ_SCHEME_BLUEZONE
              && schemes[2] == BZ_SCHEME_B3 && schemes[3] == 77);
    }

    EXPECT(bz_scheme_from_name(NULL, &scheme), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_scheme_from_name("b3", NULL), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_scheme_from_name("B3", &scheme), BZ_RESULT_BAD_SCHEME);
    EXPECT(bz_scheme_from_name("", &scheme), BZ_RESULT_BAD_SCHEME);
    EXPECT(bz_scheme_from_name("\xff\xfe", &scheme), BZ_RESULT_BAD_UTF8);
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    EXPECT(bz_scheme_from_name(long_name, &scheme), BZ_RESULT_BAD_LENGTH);
    CHECK(scheme == 77); /* untouched by every failure */
    EXPECT(bz_scheme_from_name("b3", &scheme), BZ_RESULT_OK);
    CHECK(scheme == BZ_SCHEME_B3);

    EXPECT(bz_scheme_interval_seconds(0, 0, &seconds), BZ_RESULT_BAD_SCHEME);
    EXPECT(bz_scheme_interval_seconds(BZ_SCHEME_BLUEZONE, 7, &seconds), BZ_RESULT_BAD_PER_DAY);
    EXPECT(bz_scheme_interval_seconds(BZ_SCHEME_GAEN, 96, &seconds), BZ_RESULT_BAD_PER_DAY);
    EXPECT(bz_scheme_interval_seconds(BZ_SCHEME_B3, 0, NULL), BZ_RESULT_NULL_POINTER);
    CHECK(seconds == 77);
    EXPECT(bz_scheme_interval_seconds(BZ_SCHEME_BLUEZONE, 96, &seconds), BZ_RESULT_OK);
    CHECK(seconds == 900);
}

static void misuse_derivation(void)
{
    uint8_t key[32] = {0};
    uint8_t out[64];
    uint8_t rpi[16] = {0};
    uint8_t metadata[4] = {0x40, 8, 0, 0};
    uint8_t sealed[4] = {0xaa, 0xaa, 0xaa, 0xaa};
    size_t i;

    EXPECT(bz_generate_key(0, out, sizeof out), BZ_RESULT_BAD_SCHEME);
    EXPECT(bz_generate_key(BZ_SCHEME_B3, NULL, 16), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_generate_key(BZ_SCHEME_B3, NULL, 0), BZ_RESULT_BUFFER_TOO_SMALL);
    EXPECT(bz_generate_key(BZ_SCHEME_BLUEZONE, out, 31), BZ_RESULT_BUFFER_TOO_SMALL);
    EXPECT(bz_generate_key(BZ_SCHEME_B3, out, SIZE_MAX), BZ_RESULT_BAD_LENGTH);

    memset(out, 0xaa, sizeof out);
    EXPECT(bz_derive_range(9, 0, key, 16, 100, 100, 1, out, 16), BZ_RESULT_BAD_SCHEME);
    EXPECT(bz_derive_range(BZ_SCHEME_BLUEZONE, 7, key, 32, 100, 100, 1, out, 16), BZ_RESULT_BAD_PER_DAY);
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 96, key, 16, 100, 100, 1, out, 16), BZ_RESULT_BAD_PER_DAY);
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, NULL, 16, 100, 100, 1, out, 16), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, key, SIZE_MAX, 100, 100, 1, out, 16), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, NULL, 0, 100, 100, 1, out, 16), BZ_RESULT_KEY_LENGTH);
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, key, 15, 100, 100, 1, out, 16), BZ_RESULT_KEY_LENGTH);
    EXPECT(bz_derive_range(BZ_SCHEME_GAEN, 0, key, 32, 100, 100, 1, out, 16), BZ_RESULT_KEY_LENGTH);
    /* count * 16 overflows size_t, or passes BZ_MAX_BUFFER_LEN. */
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, key, 16, 100, 100, SIZE_MAX, out, sizeof out), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, key, 16, 100, 100, SIZE_MAX / 16 + 1, out, sizeof out), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_derive_range(BZ_SCHEME_BLUEZONE, 0, key, 32, 100, 100, SIZE_MAX / 12 + 1, out, sizeof out), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, key, 16, 100, 100, 5, out, sizeof out), BZ_RESULT_BUFFER_TOO_SMALL);
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, key, 16, 100, 100, 1, NULL, 16), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, key, 16, 100, 100, 1, out, SIZE_MAX), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, key, 16, 100, 99, 1, out, 16), BZ_RESULT_INTERVAL_RANGE);
    EXPECT(bz_derive_range(BZ_SCHEME_GAEN, 0, key, 16, 0, UINT32_MAX, 2, out, 32), BZ_RESULT_INTERVAL_RANGE);
    for (i = 0; i < sizeof out; i++) {
        if (out[i] != 0xaa) {
            break;
        }
    }
    CHECK(i == sizeof out); /* no failure wrote to `out` */
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, key, 16, 100, 100, 0, NULL, 0), BZ_RESULT_OK);
    EXPECT(bz_derive_range(BZ_SCHEME_GAEN, 0, key, 16, 0, UINT32_MAX, 1, out, 16), BZ_RESULT_OK);

    EXPECT(bz_gaen_encrypt_metadata(NULL, 16, rpi, 16, metadata, 4, sealed, 4), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_gaen_encrypt_metadata(key, SIZE_MAX, rpi, 16, metadata, 4, sealed, 4), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_gaen_encrypt_metadata(key, 32, rpi, 16, metadata, 4, sealed, 4), BZ_RESULT_KEY_LENGTH);
    EXPECT(bz_gaen_encrypt_metadata(key, 16, rpi, 12, metadata, 4, sealed, 4), BZ_RESULT_ID_LENGTH);
    EXPECT(bz_gaen_encrypt_metadata(key, 16, rpi, 16, metadata, 3, sealed, 4), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_gaen_encrypt_metadata(key, 16, rpi, 16, NULL, 4, sealed, 4), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_gaen_encrypt_metadata(key, 16, rpi, 16, metadata, 4, sealed, 3), BZ_RESULT_BUFFER_TOO_SMALL);
    EXPECT(bz_gaen_encrypt_metadata(key, 16, rpi, 16, metadata, 4, NULL, 4), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_gaen_decrypt_metadata(key, 16, NULL, 16, metadata, 4, sealed, 4), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_gaen_decrypt_metadata(key, 16, rpi, 16, metadata, SIZE_MAX, sealed, 4), BZ_RESULT_BAD_LENGTH);
    CHECK(sealed[0] == 0xaa && sealed[3] == 0xaa);
}

static void misuse_logs(const char *scratch)
{
    uint8_t ids[32] = {0};
    int64_t times[2] = {1763769600, 1763769660};
    int8_t rssi[2] = {-60, -70};
    int marker = 0;
    bz_log *untouched = (bz_log *)(void *)&marker;
    bz_log *log = untouched;
    bz_log *bz12 = NULL;
    bz_index *index = NULL;
    uint8_t id[16];
    int64_t time = 0;
    int8_t strength = 0;
    char path[4096];
    char *long_path;
    FILE *garbage;

    EXPECT(bz_log_new(ids, 8, times, rssi, 2, &log), BZ_RESULT_ID_LENGTH);
    EXPECT(bz_log_new(ids, 0, times, rssi, 2, &log), BZ_RESULT_ID_LENGTH);
    EXPECT(bz_log_new(ids, SIZE_MAX, times, rssi, 2, &log), BZ_RESULT_ID_LENGTH);
    EXPECT(bz_log_new(ids, 16, times, rssi, SIZE_MAX, &log), BZ_RESULT_BAD_LENGTH);
    /* count * 16 wraps around to a small number without the check. */
    EXPECT(bz_log_new(ids, 16, times, rssi, SIZE_MAX / 16 + 2, &log), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_log_new(NULL, 16, times, rssi, 2, &log), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_log_new(ids, 16, NULL, rssi, 2, &log), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_log_new(ids, 16, times, NULL, 2, &log), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_log_new(ids, 16, times, rssi, 2, NULL), BZ_RESULT_NULL_POINTER);
    CHECK(log == untouched);
    EXPECT(bz_log_new(NULL, 16, NULL, NULL, 0, &log), BZ_RESULT_OK);
    CHECK(log != untouched && bz_log_len(log) == 0 && bz_log_id_len(log) == 16);
    bz_log_free(log);
    log = NULL;

    EXPECT(bz_log_load_file(NULL, 16, &log), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_log_load_file("/nonexistent/encounters.csv", 16, &log), BZ_RESULT_IO);
    EXPECT(bz_log_load_file(scratch, 16, &log), BZ_RESULT_IO); /* a directory */
    EXPECT(bz_log_load_file("/tmp/\xff\xfe.csv", 16, &log), BZ_RESULT_BAD_UTF8);
    EXPECT(bz_log_load_file("/nonexistent/encounters.csv", 13, &log), BZ_RESULT_ID_LENGTH);
    EXPECT(bz_log_load_file("/nonexistent/encounters.csv", 16, NULL), BZ_RESULT_NULL_POINTER);
    long_path = malloc(BZ_MAX_PATH_LEN + 2);
    if (long_path != NULL) {
        memset(long_path, 'a', BZ_MAX_PATH_LEN + 1);
        long_path[BZ_MAX_PATH_LEN + 1] = '\0';
        EXPECT(bz_log_load_file(long_path, 16, &log), BZ_RESULT_BAD_LENGTH);
        free(long_path);
    }
    snprintf(path, sizeof path, "%s/garbage.csv", scratch);
    garbage = fopen(path, "wb");
    if (garbage != NULL) {
        fputs("id,time,rssi\nnot hex,yesterday,loud\n", garbage);
        fclose(garbage);
        EXPECT(bz_log_load_file(path, 16, &log), BZ_RESULT_PARSE);
    } else {
        CHECK(garbage != NULL);
    }
    CHECK(log == NULL);

    /* Accessors and the index with a NULL log, then with a real one. */
    CHECK(bz_log_len(NULL) == 0 && bz_log_id_len(NULL) == 0);
    EXPECT(bz_log_get(NULL, 0, id, sizeof id, &time, &strength), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_index_new(NULL, BZ_SCHEME_B3, 0, 7200, &index), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_log_new(ids, 16, times, rssi, 2, &log), BZ_RESULT_OK);
    EXPECT(bz_log_get(log, 2, id, sizeof id, &time, &strength), BZ_RESULT_INDEX_OUT_OF_RANGE);
    EXPECT(bz_log_get(log, SIZE_MAX, id, sizeof id, &time, &strength), BZ_RESULT_INDEX_OUT_OF_RANGE);
    EXPECT(bz_log_get(log, 1, id, 15, &time, &strength), BZ_RESULT_BUFFER_TOO_SMALL);
    EXPECT(bz_log_get(log, 1, NULL, 16, &time, &strength), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_log_get(log, 1, id, SIZE_MAX, &time, &strength), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_log_get(log, 1, id, sizeof id, NULL, &strength), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_log_get(log, 1, id, sizeof id, &time, NULL), BZ_RESULT_NULL_POINTER);
    CHECK(time == 0 && strength == 0);
    EXPECT(bz_log_get(log, 1, id, sizeof id, &time, &strength), BZ_RESULT_OK);
    CHECK(time == 1763769660 && strength == -70);

    EXPECT(bz_index_new(log, 0, 0, 7200, &index), BZ_RESULT_BAD_SCHEME);
    EXPECT(bz_index_new(log, BZ_SCHEME_B3, 96, 7200, &index), BZ_RESULT_BAD_PER_DAY);
    EXPECT(bz_index_new(log, BZ_SCHEME_B3, 0, BZ_MAX_TOLERANCE_SECONDS + 1, &index), BZ_RESULT_BAD_TOLERANCE);
    EXPECT(bz_index_new(log, BZ_SCHEME_B3, 0, UINT32_MAX, &index), BZ_RESULT_BAD_TOLERANCE);
    EXPECT(bz_index_new(log, BZ_SCHEME_BLUEZONE, 0, 7200, &index), BZ_RESULT_ID_LENGTH);
    EXPECT(bz_index_new(log, BZ_SCHEME_B3, 0, 7200, NULL), BZ_RESULT_NULL_POINTER);
    CHECK(index == NULL);
    EXPECT(bz_log_new(ids, 12, times, rssi, 2, &bz12), BZ_RESULT_OK);
    EXPECT(bz_index_new(bz12, BZ_SCHEME_GAEN, 0, 7200, &index), BZ_RESULT_ID_LENGTH);
    bz_log_free(bz12);

    /* Freed, then NULL: every use is an error code, and freeing again is a
     * no-op. */
    bz_log_free(log);
    log = NULL;
    CHECK(bz_log_len(log) == 0);
    EXPECT(bz_log_get(log, 0, id, sizeof id, &time, &strength), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_index_new(log, BZ_SCHEME_B3, 0, 7200, &index), BZ_RESULT_NULL_POINTER);
    bz_log_free(log);
    bz_index_free(NULL);
}

static void misuse_keys(const char *fixtures, const char *scratch)
{
    uint8_t keys[32] = {0};
    uint32_t starts[2] = {100, 200};
    uint32_t periods[2] = {144, 144};
    uint32_t bad_periods[2] = {144, 0};
    uint32_t overflowing[2] = {UINT32_MAX, 1};
    uint8_t garbage[64];
    int marker = 0;
    bz_keys *untouched = (bz_keys *)(void *)&marker;
    bz_keys *set = untouched;
    bz_keys *zip = NULL;
    char path[4096];
    uint8_t *zip_bytes;
    size_t zip_len = 0;
    uint8_t *pem;
    size_t pem_len = 0;
    uint8_t *other_pem;
    size_t other_pem_len = 0;
    uint8_t key[32];
    uint32_t start = 0;
    uint32_t period = 0;
    FILE *file;
    size_t i;

    EXPECT(bz_keys_new(0, keys, starts, periods, 2, &set), BZ_RESULT_BAD_SCHEME);
    EXPECT(bz_keys_new(BZ_SCHEME_B3, keys, starts, periods, SIZE_MAX, &set), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_keys_new(BZ_SCHEME_BLUEZONE, keys, starts, periods, SIZE_MAX / 32 + 1, &set), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_keys_new(BZ_SCHEME_B3, NULL, starts, periods, 2, &set), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_new(BZ_SCHEME_B3, keys, NULL, periods, 2, &set), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_new(BZ_SCHEME_B3, keys, starts, NULL, 2, &set), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_new(BZ_SCHEME_B3, keys, starts, periods, 2, NULL), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_new(BZ_SCHEME_B3, keys, starts, bad_periods, 2, &set), BZ_RESULT_INVALID_KEY);
    EXPECT(bz_keys_new(BZ_SCHEME_B3, keys, overflowing, periods, 2, &set), BZ_RESULT_INVALID_KEY);
    CHECK(set == untouched);

    /* Garbage and truncated buffers. */
    for (i = 0; i < sizeof garbage; i++) {
        garbage[i] = (uint8_t)(i * 37 + 1);
    }
    garbage[5] = 0;
    EXPECT(bz_keys_load_bytes(NULL, 10, BZ_SCHEME_AUTO, &set), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_load_bytes(garbage, SIZE_MAX, BZ_SCHEME_AUTO, &set), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_keys_load_bytes(garbage, sizeof garbage, 4, &set), BZ_RESULT_BAD_SCHEME);
    EXPECT(bz_keys_load_bytes(garbage, sizeof garbage, BZ_SCHEME_AUTO, NULL), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_load_bytes(garbage, sizeof garbage, BZ_SCHEME_AUTO, &set), BZ_RESULT_PARSE);
    EXPECT(bz_keys_load_bytes((const uint8_t *)"key,rolling_start\nzz,1\n", 23, BZ_SCHEME_AUTO, &set), BZ_RESULT_PARSE);
    EXPECT(bz_keys_load_bytes((const uint8_t *)"EK Export v1    \x0a\x05", 18, BZ_SCHEME_AUTO, &set), BZ_RESULT_PARSE);
    EXPECT(bz_keys_load_bytes((const uint8_t *)"BLUEZKEY\x01", 9, BZ_SCHEME_AUTO, &set), BZ_RESULT_PARSE);
    EXPECT(bz_keys_load_bytes((const uint8_t *)"{\"data\": [", 10, BZ_SCHEME_AUTO, &set), BZ_RESULT_PARSE);
    CHECK(set == untouched);

    snprintf(path, sizeof path, "%s/testExport-2-records-1-of-1.zip", fixtures);
    zip_bytes = read_file(path, &zip_len);
    snprintf(path, sizeof path, "%s/public.pem", fixtures);
    pem = read_file(path, &pem_len);
    snprintf(path, sizeof path, "%s/test-public.pem", fixtures);
    other_pem = read_file(path, &other_pem_len);
    CHECK(zip_bytes != NULL && pem != NULL && other_pem != NULL);
    if (zip_bytes == NULL || pem == NULL || other_pem == NULL) {
        goto done;
    }
    for (i = 1; i < zip_len; i += 97) {
        EXPECT(bz_keys_load_bytes(zip_bytes, i, BZ_SCHEME_AUTO, &set), BZ_RESULT_PARSE);
    }
    EXPECT(bz_keys_load_bytes(zip_bytes, zip_len, BZ_SCHEME_BLUEZONE, &set), BZ_RESULT_SCHEME_MISMATCH);
    CHECK(set == untouched);
    EXPECT(bz_keys_load_bytes(zip_bytes, zip_len, BZ_SCHEME_AUTO, &zip), BZ_RESULT_OK);
    CHECK(bz_keys_len(zip) == 2 && bz_keys_scheme(zip) == BZ_SCHEME_GAEN && bz_keys_per_day(zip) == 0);

    /* Files. */
    EXPECT(bz_keys_load_file(NULL, BZ_SCHEME_AUTO, &set), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_load_file("/nonexistent/keys.zip", BZ_SCHEME_AUTO, &set), BZ_RESULT_IO);
    EXPECT(bz_keys_load_file(scratch, BZ_SCHEME_AUTO, &set), BZ_RESULT_IO);
    EXPECT(bz_keys_load_file("keys-\xc3\x28.zip", BZ_SCHEME_AUTO, &set), BZ_RESULT_BAD_UTF8);
    EXPECT(bz_keys_load_file("/nonexistent/keys.zip", 99, &set), BZ_RESULT_BAD_SCHEME);
    EXPECT(bz_keys_load_file("/nonexistent/keys.zip", BZ_SCHEME_AUTO, NULL), BZ_RESULT_NULL_POINTER);
    snprintf(path, sizeof path, "%s/garbage.bin", scratch);
    file = fopen(path, "wb");
    if (file != NULL) {
        fwrite(garbage, 1, sizeof garbage, file);
        fclose(file);
        EXPECT(bz_keys_load_file(path, BZ_SCHEME_AUTO, &set), BZ_RESULT_PARSE);
    }
    snprintf(path, sizeof path, "%s/truncated.zip", scratch);
    file = fopen(path, "wb");
    if (file != NULL) {
        fwrite(zip_bytes, 1, zip_len / 2, file);
        fclose(file);
        EXPECT(bz_keys_load_file(path, BZ_SCHEME_AUTO, &set), BZ_RESULT_PARSE);
    }
    CHECK(set == untouched);

    /* Accessors. */
    CHECK(bz_keys_len(NULL) == 0 && bz_keys_scheme(NULL) == 0 && bz_keys_per_day(NULL) == 0);
    EXPECT(bz_keys_get(NULL, 0, key, sizeof key, &start, &period), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_get(zip, 2, key, sizeof key, &start, &period), BZ_RESULT_INDEX_OUT_OF_RANGE);
    EXPECT(bz_keys_get(zip, SIZE_MAX, key, sizeof key, &start, &period), BZ_RESULT_INDEX_OUT_OF_RANGE);
    EXPECT(bz_keys_get(zip, 0, key, 15, &start, &period), BZ_RESULT_BUFFER_TOO_SMALL);
    EXPECT(bz_keys_get(zip, 0, NULL, 16, &start, &period), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_get(zip, 0, key, sizeof key, NULL, &period), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_get(zip, 0, key, sizeof key, &start, NULL), BZ_RESULT_NULL_POINTER);
    CHECK(start == 0 && period == 0);
    EXPECT(bz_keys_get(zip, 1, key, sizeof key, &start, &period), BZ_RESULT_OK);
    CHECK(start == 2649866 && period == 114 && key[0] == 0x2b);

    /* Signatures. */
    EXPECT(bz_keys_verify_signature(NULL, pem, pem_len), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_verify_signature(zip, NULL, 10), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_verify_signature(zip, pem, SIZE_MAX), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_keys_verify_signature(zip, garbage, sizeof garbage), BZ_RESULT_BAD_UTF8);
    EXPECT(bz_keys_verify_signature(zip, (const uint8_t *)"not a key", 9), BZ_RESULT_PUBLIC_KEY);
    EXPECT(bz_keys_verify_signature(zip, NULL, 0), BZ_RESULT_PUBLIC_KEY);
    EXPECT(bz_keys_verify_signature(zip, pem, pem_len / 2), BZ_RESULT_PUBLIC_KEY);
    EXPECT(bz_keys_verify_signature(zip, other_pem, other_pem_len), BZ_RESULT_SIGNATURE_INVALID);
    EXPECT(bz_keys_verify_signature(zip, pem, pem_len), BZ_RESULT_OK);
    EXPECT(bz_keys_new(BZ_SCHEME_GAEN, keys, starts, periods, 2, &set), BZ_RESULT_OK);
    EXPECT(bz_keys_verify_signature(set, pem, pem_len), BZ_RESULT_NOT_SIGNED);
    bz_keys_free(set);
    snprintf(path, sizeof path, "%s/internals-export.bin", fixtures);
    EXPECT(bz_keys_load_file(path, BZ_SCHEME_AUTO, &set), BZ_RESULT_OK);
    EXPECT(bz_keys_verify_signature(set, pem, pem_len), BZ_RESULT_NOT_SIGNED);

    /* Freed, then NULL. */
    bz_keys_free(set);
    set = NULL;
    CHECK(bz_keys_len(set) == 0);
    EXPECT(bz_keys_verify_signature(set, pem, pem_len), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_keys_get(set, 0, key, sizeof key, &start, &period), BZ_RESULT_NULL_POINTER);
    bz_keys_free(set);

done:
    bz_keys_free(zip);
    free(zip_bytes);
    free(pem);
    free(other_pem);
}

static void misuse_matching(void)
{
    uint8_t ids[16] = {0};
    int64_t times[1] = {1763769600};
    int8_t rssi[1] = {-60};
    uint8_t key[16] = {0};
    uint32_t start = 2939616;
    uint32_t period = 144;
    bz_log *log = NULL;
    bz_index *index = NULL;
    bz_keys *b3_keys = NULL;
    bz_keys *gaen_keys = NULL;
    bz_matches *matches = NULL;
    uint32_t k = 7;
    uint32_t interval = 7;
    uint32_t encounter = 7;
    uint32_t column[4];
    size_t copied = 7;

    /* Publish the key whose ID the log holds, so that there is one match. */
    EXPECT(bz_derive_range(BZ_SCHEME_B3, 0, key, 16, start, start, 1, ids, sizeof ids), BZ_RESULT_OK);
    EXPECT(bz_log_new(ids, 16, times, rssi, 1, &log), BZ_RESULT_OK);
    EXPECT(bz_index_new(log, BZ_SCHEME_B3, 0, 7200, &index), BZ_RESULT_OK);
    EXPECT(bz_keys_new(BZ_SCHEME_B3, key, &start, &period, 1, &b3_keys), BZ_RESULT_OK);
    EXPECT(bz_keys_new(BZ_SCHEME_GAEN, key, &start, &period, 1, &gaen_keys), BZ_RESULT_OK);

    EXPECT(bz_match(NULL, b3_keys, 0, &matches), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_match(index, NULL, 0, &matches), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_match(index, b3_keys, BZ_MAX_THREADS + 1, &matches), BZ_RESULT_BAD_THREAD_COUNT);
    EXPECT(bz_match(index, b3_keys, SIZE_MAX, &matches), BZ_RESULT_BAD_THREAD_COUNT);
    EXPECT(bz_match(index, b3_keys, 0, NULL), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_match(index, gaen_keys, 0, &matches), BZ_RESULT_SCHEME_MISMATCH);
    CHECK(matches == NULL);
    EXPECT(bz_match(index, b3_keys, 1, &matches), BZ_RESULT_OK);
    CHECK(bz_matches_len(matches) == 1);

    CHECK(bz_matches_len(NULL) == 0);
    EXPECT(bz_matches_get(NULL, 0, &k, &interval, &encounter), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_matches_get(matches, 1, &k, &interval, &encounter), BZ_RESULT_INDEX_OUT_OF_RANGE);
    EXPECT(bz_matches_get(matches, 0, NULL, &interval, &encounter), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_matches_get(matches, 0, &k, NULL, &encounter), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_matches_get(matches, 0, &k, &interval, NULL), BZ_RESULT_NULL_POINTER);
    CHECK(k == 7 && interval == 7 && encounter == 7);
    EXPECT(bz_matches_get(matches, 0, &k, &interval, &encounter), BZ_RESULT_OK);
    CHECK(k == 0 && interval == start && encounter == 0);

    EXPECT(bz_matches_copy(NULL, 0, column, column, column, 4, &copied), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_matches_copy(matches, 2, column, column, column, 4, &copied), BZ_RESULT_INDEX_OUT_OF_RANGE);
    EXPECT(bz_matches_copy(matches, SIZE_MAX, column, column, column, 4, &copied), BZ_RESULT_INDEX_OUT_OF_RANGE);
    EXPECT(bz_matches_copy(matches, 0, column, column, column, SIZE_MAX, &copied), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_matches_copy(matches, 0, column, column, column, SIZE_MAX / 4 + 1, &copied), BZ_RESULT_BAD_LENGTH);
    EXPECT(bz_matches_copy(matches, 0, NULL, column, column, 4, &copied), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_matches_copy(matches, 0, column, NULL, column, 4, &copied), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_matches_copy(matches, 0, column, column, NULL, 4, &copied), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_matches_copy(matches, 0, column, column, column, 4, NULL), BZ_RESULT_NULL_POINTER);
    CHECK(copied == 7);
    EXPECT(bz_matches_copy(matches, 0, NULL, NULL, NULL, 0, &copied), BZ_RESULT_OK);
    CHECK(copied == 0);
    EXPECT(bz_matches_copy(matches, 1, NULL, NULL, NULL, 4, &copied), BZ_RESULT_NULL_POINTER);

    /* Freed, then NULL. */
    bz_matches_free(matches);
    matches = NULL;
    bz_index_free(index);
    index = NULL;
    CHECK(bz_matches_len(matches) == 0);
    EXPECT(bz_matches_get(matches, 0, &k, &interval, &encounter), BZ_RESULT_NULL_POINTER);
    EXPECT(bz_match(index, b3_keys, 0, &matches), BZ_RESULT_NULL_POINTER);
    bz_matches_free(matches);
    bz_index_free(index);

    bz_keys_free(gaen_keys);
    bz_keys_free(b3_keys);
    bz_log_free(log);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: misuse FIXTURES_DIR SCRATCH_DIR\n");
        return 2;
    }
    misuse_error_messages();
    misuse_schemes();
    misuse_derivation();
    misuse_logs(argv[2]);
    misuse_keys(argv[1], argv[2]);
    misuse_matching();
    printf("misuse: %d checks passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
