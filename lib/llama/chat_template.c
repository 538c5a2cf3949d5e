/* Chat templates (see chat_template.h): recognising a template by the text
 * it contains, and rendering one turn as its Jinja source does.
 *
 * The renderings follow the templates these models ship (their
 * tokenizer_config.json), rendered by jinja2 with trim_blocks and
 * lstrip_blocks as Hugging Face's apply_chat_template does:
 *   Llama 3 / 3.1 / 3.2 Instruct: '<|start_header_id|>' + role +
 *     '<|end_header_id|>\n\n' + content | trim + '<|eot_id|>' per message; 3.1
 *     and later always open with a system header, "Cutting Knowledge Date:
 *     December 2023\nToday Date: " + date_string + "\n\n" + system | trim,
 *     date_string being strftime_now("%d %b %Y") (3.2) or "26 Jul 2024";
 *   SmolLM2 (ChatML): '<|im_start|>' + role + '\n' + content + '<|im_end|>' +
 *     '\n', and a default system message when the first is not a system one;
 *   TinyLlama (Zephyr): '<|' + role + '|>\n' + content + eos_token, and the
 *     newline after each {{ }} line, which trim_blocks keeps;
 *   Llama 2 chat: bos_token + '[INST] ' + content.strip() + ' [/INST]', the
 *     system message folded into the first user message as
 *     '<<SYS>>\n' + system + '\n<</SYS>>\n\n' before strip(); replies
 *     ' ' + reply.strip() + ' ' + eos_token.
 * trim and strip() remove what Python's str.isspace() calls white space. */
#include "lib/llama/chat_template.h"
#include "lib/llama/unicode.h"
#include "lib/libc.h"

/* ---------------------------------------------------------------- recognising */

static int contains(const char *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0) return 1;
    return 0;
}

/* ChatML's default system prompt: a string literal in the template that
 * opens a system turn and closes it in the same literal,
 * '<|im_start|>system\nTEXT<|im_end|>', TEXT unescaped. */
static void default_system(ChatTemplate *t, const char *s, size_t len) {
    static const char open[] = "<|im_start|>system\\n";
    static const char close[] = "<|im_end|>";
    size_t no = sizeof open - 1, nc = sizeof close - 1;
    for (size_t i = 1; no <= len && i <= len - no; i++) {
        if (memcmp(s + i, open, no) != 0 || (s[i - 1] != '\'' && s[i - 1] != '"')) continue;
        char quote = s[i - 1];
        size_t n = 0;
        for (size_t k = i + no; k < len; k++) {
            if (len - k >= nc && memcmp(s + k, close, nc) == 0) {
                t->default_system_len = n;
                t->has_default_system = 1;
                return;
            }
            char c = s[k];
            if (c == quote || n >= sizeof t->default_system) break;
            if (c == '\\' && k + 1 < len) {
                char e = s[++k];
                c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
            }
            t->default_system[n++] = c;
        }
    }
}

void chat_template_init(ChatTemplate *t, const llama_vocab *d, const Vocab *v) {
    memset(t, 0, sizeof *t);
    memcpy(t->date, "26 Jul 2024", 12);
    t->bos = vocab_text(v, vocab_bos(v), &t->bos_len);
    t->eos = vocab_text(v, vocab_eos(v), &t->eos_len);
    const char *s = d->chat_template;
    size_t len = d->chat_template_len;
    t->has_template = s != NULL && len > 0;
    t->format = CHAT_PLAIN;
    if (!t->has_template) return;
    if (contains(s, len, "<|start_header_id|>") && contains(s, len, "<|end_header_id|>")) {
        t->format = CHAT_LLAMA3;
        t->dated = contains(s, len, "Cutting Knowledge Date");
        t->date_from_clock = t->dated && contains(s, len, "strftime_now");
    } else if (contains(s, len, "<|im_start|>")) {
        t->format = CHAT_CHATML;
        default_system(t, s, len);
    } else if (contains(s, len, "<|user|>") && contains(s, len, "<|assistant|>") &&
               contains(s, len, "eos_token") && !contains(s, len, "<|end|>")) {
        t->format = CHAT_ZEPHYR;
    } else if (contains(s, len, "[INST]") && contains(s, len, "<<SYS>>")) {
        t->format = CHAT_LLAMA2;
    }
}

const char *chat_template_name(const ChatTemplate *t) {
    switch (t->format) {
    case CHAT_LLAMA3: return "Llama 3";
    case CHAT_CHATML: return "ChatML";
    case CHAT_ZEPHYR: return "Zephyr";
    case CHAT_LLAMA2: return "Llama 2";
    default: return "plain";
    }
}

void chat_template_set_date(ChatTemplate *t, int year, int month, int day) {
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (!t->date_from_clock || month < 1 || month > 12 || day < 1 || day > 31 || year < 0 ||
        year > 9999)
        return;
    char *p = t->date;
    *p++ = (char)('0' + day / 10);
    *p++ = (char)('0' + day % 10);
    *p++ = ' ';
    memcpy(p, months + 3 * (month - 1), 3);
    p += 3;
    *p++ = ' ';
    for (int div = 1000; div > 0; div /= 10) *p++ = (char)('0' + year / div % 10);
    *p = '\0';
}

/* ---------------------------------------------------------------- trimming */

/* The code point that ends s[0..end) if it is a white space Python strips
 * (one well-formed UTF-8 sequence): its length, else 0. */
static size_t space_before(const char *s, size_t end) {
    const unsigned char *u = (const unsigned char *)s;
    size_t start = end;
    while (start > 0 && end - start < 4) {
        start--;
        if ((u[start] & 0xC0) != 0x80) break;
    }
    if (start == end) return 0;
    size_t used;
    unsigned char canon[4];
    uint32_t cpt = unicode_decode(u + start, end - start, &used);
    if (used != end - start || unicode_encode(cpt, canon) != used || !unicode_is_py_space(cpt))
        return 0;
    return used;
}

static size_t space_after(const char *s, size_t len) {
    size_t used;
    unsigned char canon[4];
    if (len == 0) return 0;
    uint32_t cpt = unicode_decode((const unsigned char *)s, len, &used);
    if (unicode_encode(cpt, canon) != used || memcmp(canon, s, used) != 0 ||
        !unicode_is_py_space(cpt))
        return 0;
    return used;
}

static void rstrip(const char *s, size_t *len) {
    size_t n;
    while ((n = space_before(s, *len)) > 0) *len -= n;
}

static void strip(const char **s, size_t *len) {
    size_t n;
    while ((n = space_after(*s, *len)) > 0) {
        *s += n;
        *len -= n;
    }
    rstrip(*s, len);
}

/* ---------------------------------------------------------------- rendering */

typedef struct {
    VocabPart *p;
    int n;
} Parts;

static void put(Parts *ps, const char *s, size_t len, int special) {
    if (len > 0) ps->p[ps->n++] = (VocabPart){ s, len, special };
}

#define TEXT(ps, literal) put(ps, literal, sizeof literal - 1, 1)

static void llama3(const ChatTemplate *t, Parts *ps, int first, const char *sys, size_t sys_len,
                   const char *user, size_t user_len) {
    if (first && (sys || t->dated)) {
        TEXT(ps, "<|start_header_id|>system<|end_header_id|>\n\n");
        if (t->dated) {
            TEXT(ps, "Cutting Knowledge Date: December 2023\nToday Date: ");
            put(ps, t->date, strlen(t->date), 1);
            TEXT(ps, "\n\n");
        }
        if (sys) {
            strip(&sys, &sys_len);
            put(ps, sys, sys_len, 0);
        }
        TEXT(ps, "<|eot_id|>");
    }
    strip(&user, &user_len);
    TEXT(ps, "<|start_header_id|>user<|end_header_id|>\n\n");
    put(ps, user, user_len, 0);
    TEXT(ps, "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
}

static void chatml(const ChatTemplate *t, Parts *ps, int first, const char *sys, size_t sys_len,
                   const char *user, size_t user_len) {
    if (first && sys) {
        TEXT(ps, "<|im_start|>system\n");
        put(ps, sys, sys_len, 0);
        TEXT(ps, "<|im_end|>\n");
    } else if (first && t->has_default_system) {
        TEXT(ps, "<|im_start|>system\n");
        put(ps, t->default_system, t->default_system_len, 1);
        TEXT(ps, "<|im_end|>\n");
    }
    if (first) TEXT(ps, "<|im_start|>user\n");
    else TEXT(ps, "\n<|im_start|>user\n");
    put(ps, user, user_len, 0);
    TEXT(ps, "<|im_end|>\n<|im_start|>assistant\n");
}

static void zephyr(const ChatTemplate *t, Parts *ps, int first, const char *sys, size_t sys_len,
                   const char *user, size_t user_len) {
    if (first && sys) {
        TEXT(ps, "<|system|>\n");
        put(ps, sys, sys_len, 0);
        put(ps, t->eos, t->eos_len, 1);
        TEXT(ps, "\n");
    }
    if (first) TEXT(ps, "<|user|>\n");
    else TEXT(ps, "\n<|user|>\n");
    put(ps, user, user_len, 0);
    put(ps, t->eos, t->eos_len, 1);
    TEXT(ps, "\n<|assistant|>\n");
}

static void llama2(const ChatTemplate *t, Parts *ps, int first, const char *sys, size_t sys_len,
                   const char *user, size_t user_len) {
    if (!first) put(ps, t->bos, t->bos_len, 1);
    if (first && sys) {
        /* strip() of '<<SYS>>\n' + system + '\n<</SYS>>\n\n' + user: only the
         * user's end, or, when it is all space, the blank line too */
        rstrip(user, &user_len);
        TEXT(ps, "[INST] <<SYS>>\n");
        put(ps, sys, sys_len, 0);
        if (user_len > 0) TEXT(ps, "\n<</SYS>>\n\n");
        else TEXT(ps, "\n<</SYS>>");
    } else {
        strip(&user, &user_len);
        TEXT(ps, "[INST] ");
    }
    put(ps, user, user_len, 0);
    TEXT(ps, " [/INST]");
}

static void plain(Parts *ps, int first, const char *sys, size_t sys_len, const char *user,
                  size_t user_len) {
    if (first && sys) {
        put(ps, sys, sys_len, 0);
        TEXT(ps, "\n\n");
    }
    if (first) TEXT(ps, "User: ");
    else TEXT(ps, "\nUser: ");
    put(ps, user, user_len, 0);
    TEXT(ps, "\nAssistant:");
}

int chat_template_turn(const ChatTemplate *t, int first, const char *system, size_t system_len,
                       const char *user, size_t user_len, VocabPart *parts, int cap) {
    if (cap < CHAT_TEMPLATE_MAX_PARTS) return -1;
    Parts ps = { parts, 0 };
    if (!system) system_len = 0;
    if (!user) user = "", user_len = 0;
    switch (t->format) {
    case CHAT_LLAMA3: llama3(t, &ps, first, system, system_len, user, user_len); break;
    case CHAT_CHATML: chatml(t, &ps, first, system, system_len, user, user_len); break;
    case CHAT_ZEPHYR: zephyr(t, &ps, first, system, system_len, user, user_len); break;
    case CHAT_LLAMA2: llama2(t, &ps, first, system, system_len, user, user_len); break;
    default: plain(&ps, first, system, system_len, user, user_len); break;
    }
    return ps.n;
}
