#pragma once
// Checking a password against a hash as Apache's htpasswd writes them (APR's
// apr_password_validate on Linux):
//   $2y$ / $2a$ ...   bcrypt (htpasswd -B)           libxcrypt
//   $apr1$salt$...    APR's MD5-crypt (htpasswd -m)  MD5-crypt with magic "$apr1$", over OpenSSL's MD5
//   {SHA}base64       SHA-1 of the password (-s)     OpenSSL
//   anything else     crypt(3) (-d, and $1$ $5$ $6$ $y$ ...) libxcrypt
// There is no plain-text comparison: on Linux APR hands an unknown string to
// crypt(3), which never returns the password itself (htpasswd -p warns that
// such a file "might just not work on this platform").
//
// No hash primitive is written here: MD5, SHA-1 and the crypt(3) schemes come
// from the libraries; only APR's composition of MD5 calls is.

#include <string>
#include <string_view>

namespace sonora::modules::aaa {

// Whether `password` matches `hash` (a line's second field from a password
// file). Costs what the scheme costs (bcrypt: milliseconds). Thread-safe.
bool password_matches(std::string_view password, std::string_view hash);

// APR's apr_md5_encode: "$apr1$" + salt (up to 8 characters, ending at '$')
// + "$" + 22 characters. `setting` is a whole hash or just "$apr1$salt".
// Empty when `setting` does not start with "$apr1$".
std::string apr1_md5(std::string_view password, std::string_view setting);

// "{SHA}" + base64 of the SHA-1 digest of `password` (htpasswd -s).
std::string sha1_password(std::string_view password);

// Lowercase hex MD5 of `text` (htdigest's hash of "user:realm:password").
std::string md5_hex(std::string_view text);

// What a checked password is remembered by: a digest of the stored hash and
// the password together, so a remembered success can only ever answer for
// that very hash and password.
struct PasswordKey {
    unsigned char bytes[32];
};
PasswordKey password_key(std::string_view password, std::string_view hash);

// A per-thread memory of passwords that matched (never of failures), so that
// a keep-alive client is not hashed again on each request. Bounded: a fixed
// table where a newer success replaces whichever sits in its slot.
class VerifiedPasswords {
public:
    static constexpr std::size_t kSlots = 256;
    bool contains(const PasswordKey& key) const;
    void insert(const PasswordKey& key);

private:
    struct Slot {
        bool used = false;
        PasswordKey key{};
    };
    Slot slots_[kSlots];
};

// password_matches() through this thread's VerifiedPasswords.
bool password_matches_cached(std::string_view password, std::string_view hash);

}  // namespace sonora::modules::aaa
