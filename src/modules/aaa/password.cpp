#include "modules/aaa/password.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>

namespace sonora::modules::aaa {

namespace {

constexpr std::string_view kApr1Magic = "$apr1$";
constexpr std::string_view kShaPrefix = "{SHA}";
constexpr char kCryptAlphabet[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// One digest over several pieces; false if the library refuses.
template <std::size_t N>
bool digest(const EVP_MD* md, std::initializer_list<std::string_view> pieces, std::array<unsigned char, N>& out) {
    thread_local MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) {
        return false;
    }
    for (std::string_view p : pieces) {
        if (EVP_DigestUpdate(ctx.get(), p.data(), p.size()) != 1) {
            return false;
        }
    }
    unsigned int len = 0;
    return EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == N;
}

std::string_view bytes(const unsigned char* p, std::size_t n) { return {reinterpret_cast<const char*>(p), n}; }

// crypt(3)'s base-64 digits, least significant first.
void append_crypt64(std::string& out, unsigned value, int digits) {
    for (int i = 0; i < digits; ++i) {
        out += kCryptAlphabet[value & 0x3f];
        value >>= 6;
    }
}

// crypt(3) of `password` with `setting` (a whole stored hash): nullopt when
// libxcrypt does not know the scheme or refuses the setting.
std::optional<std::string> system_crypt(std::string_view password, std::string_view setting) {
    // crypt_data is large (tens of kilobytes): one per thread, never on the stack.
    thread_local auto data = std::make_unique<crypt_data>();
    std::string phrase(password);
    std::string salt(setting);
    const char* out = crypt_rn(phrase.c_str(), salt.c_str(), data.get(), sizeof(crypt_data));
    if (out == nullptr || out[0] == '*') {
        return std::nullopt;
    }
    return std::string(out);
}

bool same(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string apr1_md5(std::string_view password, std::string_view setting) {
    if (!setting.starts_with(kApr1Magic)) {
        return {};
    }
    std::string_view salt = setting.substr(kApr1Magic.size());
    salt = salt.substr(0, std::min<std::size_t>(salt.find('$'), 8));

    std::array<unsigned char, 16> alt{};
    if (!digest(EVP_md5(), {password, salt, password}, alt)) {
        return {};
    }
    // The first round: password, magic, salt, then as many bytes of `alt` as
    // the password is long, then one piece per bit of the password's length.
    std::string first;
    first.append(password).append(kApr1Magic).append(salt);
    for (std::size_t left = password.size(); left > 0; left -= std::min<std::size_t>(left, 16)) {
        first.append(bytes(alt.data(), std::min<std::size_t>(left, 16)));
    }
    for (std::size_t bits = password.size(); bits != 0; bits >>= 1) {
        first += (bits & 1) != 0 ? '\0' : (password.empty() ? '\0' : password[0]);
    }
    std::array<unsigned char, 16> fin{};
    if (!digest(EVP_md5(), {first}, fin)) {
        return {};
    }
    // A thousand rounds that mix the previous digest, the salt and the password.
    for (int i = 0; i < 1000; ++i) {
        std::string_view prev = bytes(fin.data(), fin.size());
        std::string_view a = (i & 1) != 0 ? password : prev;
        std::string_view b = i % 3 != 0 ? salt : std::string_view();
        std::string_view c = i % 7 != 0 ? password : std::string_view();
        std::string_view d = (i & 1) != 0 ? prev : password;
        std::array<unsigned char, 16> next{};
        if (!digest(EVP_md5(), {a, b, c, d}, next)) {
            return {};
        }
        fin = next;
    }
    std::string out;
    out.reserve(kApr1Magic.size() + salt.size() + 1 + 22);
    out.append(kApr1Magic).append(salt).append("$");
    auto group = [&](int x, int y, int z) {
        append_crypt64(out, (unsigned{fin[x]} << 16) | (unsigned{fin[y]} << 8) | fin[z], 4);
    };
    group(0, 6, 12);
    group(1, 7, 13);
    group(2, 8, 14);
    group(3, 9, 15);
    group(4, 10, 5);
    append_crypt64(out, fin[11], 2);
    return out;
}

std::string sha1_password(std::string_view password) {
    std::array<unsigned char, 20> d{};
    if (!digest(EVP_sha1(), {password}, d)) {
        return {};
    }
    unsigned char b64[32] = {};
    int n = EVP_EncodeBlock(b64, d.data(), static_cast<int>(d.size()));
    return std::string(kShaPrefix).append(bytes(b64, static_cast<std::size_t>(n)));
}

std::string md5_hex(std::string_view text) {
    std::array<unsigned char, 16> d{};
    if (!digest(EVP_md5(), {text}, d)) {
        return {};
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : d) {
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
    return out;
}

bool password_matches(std::string_view password, std::string_view hash) {
    if (hash.starts_with(kApr1Magic)) {
        std::string computed = apr1_md5(password, hash);
        return !computed.empty() && same(computed, hash);
    }
    if (hash.starts_with(kShaPrefix)) {
        std::string computed = sha1_password(password);
        return !computed.empty() && same(computed, hash);
    }
    // bcrypt ($2y$, $2a$, $2b$ ...), DES, $1$, $5$, $6$, yescrypt: crypt(3).
    auto computed = system_crypt(password, hash);
    return computed && same(*computed, hash);
}

PasswordKey password_key(std::string_view password, std::string_view hash) {
    // The hash's length first, so that no other (hash, password) pair can
    // produce the same input.
    std::uint64_t n = hash.size();
    char len[sizeof n];
    std::memcpy(len, &n, sizeof n);
    std::array<unsigned char, 32> d{};
    PasswordKey key{};
    if (digest(EVP_sha256(), {std::string_view(len, sizeof len), hash, password}, d)) {
        std::memcpy(key.bytes, d.data(), d.size());
    }
    return key;
}

bool VerifiedPasswords::contains(const PasswordKey& key) const {
    std::uint64_t h = 0;
    std::memcpy(&h, key.bytes, sizeof h);
    const Slot& s = slots_[h % kSlots];
    return s.used && CRYPTO_memcmp(s.key.bytes, key.bytes, sizeof key.bytes) == 0;
}

void VerifiedPasswords::insert(const PasswordKey& key) {
    std::uint64_t h = 0;
    std::memcpy(&h, key.bytes, sizeof h);
    Slot& s = slots_[h % kSlots];
    s.used = true;
    s.key = key;
}

bool password_matches_cached(std::string_view password, std::string_view hash) {
    thread_local auto verified = std::make_unique<VerifiedPasswords>();
    const PasswordKey key = password_key(password, hash);
    static constexpr PasswordKey kZero{};
    const bool keyed = std::memcmp(key.bytes, kZero.bytes, sizeof key.bytes) != 0;
    if (keyed && verified->contains(key)) {
        return true;
    }
    if (!password_matches(password, hash)) {
        return false;
    }
    if (keyed) {
        verified->insert(key);
    }
    return true;
}

}  // namespace sonora::modules::aaa
