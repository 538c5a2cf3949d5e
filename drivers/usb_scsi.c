/* Bulk-Only Transport wrappers and SCSI command blocks (see usb_scsi.h).
 * BOT fields are little-endian, SCSI fields big-endian. */
#include "drivers/usb_scsi.h"

#define CBW_SIGNATURE 0x43425355u   /* "USBC" */
#define CSW_SIGNATURE 0x53425355u   /* "USBS" */

static void put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void put_be(uint8_t *p, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}
static uint64_t get_be(const uint8_t *p, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v = v << 8 | p[i];
    return v;
}
static void clear(uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = 0;
}

void bot_cbw(uint8_t cbw[BOT_CBW_SIZE], uint32_t tag, uint32_t data_len, bool data_in, uint8_t lun,
             const uint8_t *cdb, uint8_t cdb_len) {
    clear(cbw, BOT_CBW_SIZE);
    if (cdb_len > 16) cdb_len = 16;
    put_le32(cbw, CBW_SIGNATURE);
    put_le32(cbw + 4, tag);
    put_le32(cbw + 8, data_len);
    cbw[12] = data_in ? 0x80 : 0;
    cbw[13] = lun & 0x0F;
    cbw[14] = cdb_len;
    for (int i = 0; i < cdb_len; i++) cbw[15 + i] = cdb[i];
}

enum bot_status bot_csw(const uint8_t *csw, size_t n, uint32_t tag, uint32_t *residue) {
    if (n < BOT_CSW_SIZE || get_le32(csw) != CSW_SIGNATURE || get_le32(csw + 4) != tag)
        return BOT_INVALID;
    if (residue) *residue = get_le32(csw + 8);
    switch (csw[12]) {
    case 0: return BOT_PASSED;
    case 1: return BOT_FAILED;
    case 2: return BOT_PHASE_ERROR;
    default: return BOT_INVALID;
    }
}

uint8_t scsi_inquiry(uint8_t cdb[16], uint8_t alloc_len) {
    clear(cdb, 16);
    cdb[0] = 0x12;
    cdb[4] = alloc_len;
    return 6;
}

uint8_t scsi_test_unit_ready(uint8_t cdb[16]) {
    clear(cdb, 16);
    return 6;
}

uint8_t scsi_request_sense(uint8_t cdb[16], uint8_t alloc_len) {
    clear(cdb, 16);
    cdb[0] = 0x03;
    cdb[4] = alloc_len;
    return 6;
}

uint8_t scsi_read_capacity10(uint8_t cdb[16]) {
    clear(cdb, 16);
    cdb[0] = 0x25;
    return 10;
}

uint8_t scsi_read_capacity16(uint8_t cdb[16], uint8_t alloc_len) {
    clear(cdb, 16);
    cdb[0] = 0x9E;   /* SERVICE ACTION IN (16) */
    cdb[1] = 0x10;   /* READ CAPACITY (16) */
    put_be(cdb + 10, alloc_len, 4);
    return 16;
}

uint8_t scsi_read(uint8_t cdb[16], uint64_t lba, uint32_t count) {
    clear(cdb, 16);
    if (lba + count <= 0x100000000ull && count <= 0xFFFF) {
        cdb[0] = 0x28;
        put_be(cdb + 2, lba, 4);
        put_be(cdb + 7, count, 2);
        return 10;
    }
    cdb[0] = 0x88;
    put_be(cdb + 2, lba, 8);
    put_be(cdb + 10, count, 4);
    return 16;
}

/* Copies the space-padded field into out at o, printable ASCII only. */
static size_t copy_field(char *out, size_t o, size_t room, const uint8_t *f, size_t n) {
    size_t end = n;
    while (end > 0 && (f[end - 1] == ' ' || f[end - 1] == 0)) end--;
    size_t start = 0;
    while (start < end && f[start] == ' ') start++;
    if (start == end) return o;
    if (o > 0 && o + 1 < room) out[o++] = ' ';
    for (size_t i = start; i < end && o + 1 < room; i++)
        out[o++] = f[i] >= 0x20 && f[i] < 0x7F ? (char)f[i] : '?';
    return o;
}

const char *scsi_parse_inquiry(const uint8_t *b, size_t n, struct scsi_inquiry_info *info) {
    *info = (struct scsi_inquiry_info){0};
    if (n < 5) return "its INQUIRY answer is too short";
    info->device_type = b[0] & 0x1F;
    info->removable = b[1] & 0x80;
    size_t o = 0;
    if (n >= 16) o = copy_field(info->model, o, sizeof info->model, b + 8, 8);
    if (n >= 32) o = copy_field(info->model, o, sizeof info->model, b + 16, 16);
    info->model[o] = 0;
    if (b[0] >> 5 == 3) return "its LUN is not present";   /* peripheral qualifier 3 */
    return 0;
}

static const char *check_size(uint64_t sectors, uint32_t size) {
    if (size < 512 || size > 65536 || (size & (size - 1))) return "its sector size is not 512 to 65536 bytes, a power of two";
    if (sectors == 0) return "it reports no sectors";
    return 0;
}

const char *scsi_parse_capacity10(const uint8_t *b, size_t n, uint64_t *sectors,
                                  uint32_t *sector_size, bool *need16) {
    *need16 = false;
    if (n < 8) return "its READ CAPACITY answer is too short";
    uint32_t last = (uint32_t)get_be(b, 4);
    *sector_size = (uint32_t)get_be(b + 4, 4);
    *sectors = (uint64_t)last + 1;
    if (last == 0xFFFFFFFFu) {
        *need16 = true;
        return 0;
    }
    return check_size(*sectors, *sector_size);
}

const char *scsi_parse_capacity16(const uint8_t *b, size_t n, uint64_t *sectors,
                                  uint32_t *sector_size) {
    if (n < 12) return "its READ CAPACITY (16) answer is too short";
    uint64_t last = get_be(b, 8);
    *sector_size = (uint32_t)get_be(b + 8, 4);
    if (last >= (1ull << 48)) return "it reports more than 2^48 sectors";
    *sectors = last + 1;
    return check_size(*sectors, *sector_size);
}

bool scsi_parse_sense(const uint8_t *b, size_t n, uint8_t *key, uint8_t *asc, uint8_t *ascq) {
    if (n < 2) return false;
    uint8_t code = b[0] & 0x7F;
    if ((code == 0x70 || code == 0x71) && n >= 14) {   /* fixed format */
        *key = b[2] & 0x0F;
        *asc = b[12];
        *ascq = b[13];
        return true;
    }
    if ((code == 0x72 || code == 0x73) && n >= 4) {    /* descriptor format */
        *key = b[1] & 0x0F;
        *asc = b[2];
        *ascq = b[3];
        return true;
    }
    return false;
}
