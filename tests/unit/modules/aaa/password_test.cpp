// Password hashes as Apache's htpasswd writes them, checked with vectors made
// by htpasswd (-B, -m, -s, -d) and openssl passwd (-apr1, -1, -6).

#include "modules/aaa/password.h"

#include <gtest/gtest.h>

namespace sonora::modules::aaa {
namespace {

struct Vector {
    const char* password;
    const char* hash;
};

const Vector kVectors[] = {
    {"bcrypt pw", "$2y$05$WZKK64mA7V7qPBbQG101IOCmF9h/cp48.5ki3h3pcSMpLTNC3hsDy"},  // htpasswd -B -C 5
    {"b pw", "$2y$04$TX4vSZA5ILCr.pbLH77SJuJlD8/P9o41mmJc8g12lxc4HPniisSau"},       // htpasswd -B -C 4
    {"apr1 pw", "$apr1$F5loxn41$TNlIpUWPHQ14hzNMUeP8x1"},                          // htpasswd -m
    {"", "$apr1$ZzXNzk2d$pupKvDVysrQU3f4XzjQvR1"},                                 // htpasswd -m, empty
    {"password", "$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1"},                         // openssl passwd -apr1
    {"", "$apr1$x$tMwYqBfQwi3FYAr0aJc8M/"},                                        // a one-character salt
    {"a much longer password that spans more than sixteen bytes", "$apr1$12345678$.4pQS1NZhGlDlk1w6n6Hw."},
    {"sha pw", "{SHA}7ubAkIthNAIpEJjMktYaoVaMPB8="},                               // htpasswd -s
    {"new pw", "{SHA}5x8RRXHls54Hse54VaYA2Ywl1Hg="},
    {"cryptpw", "fW/cm30lC1gaI"},                                                  // htpasswd -d
    {"password", "$1$abcdefgh$G//4keteveJp0qb8z2DxG/"},                            // openssl passwd -1
    {"cryptpw", "$6$saltsalt$AwG0uydIMu5dYdg1IjNvowxN8ghcjnZNwoSJHfPnx88cszfWl9Gkj0.h5JkbSark/UnOwld7KtekPRHxBt7.E1"},
};

TEST(Password, EveryFormatAcceptsItsPassword) {
    for (const Vector& v : kVectors) {
        EXPECT_TRUE(password_matches(v.password, v.hash)) << v.hash;
        EXPECT_TRUE(password_matches_cached(v.password, v.hash)) << v.hash;
    }
}

TEST(Password, EveryFormatRefusesOtherPasswords) {
    for (const Vector& v : kVectors) {
        for (const char* wrong : {"", "x", "password ", "Password", "bcrypt pw!"}) {
            if (std::string_view(wrong) != v.password) {
                EXPECT_FALSE(password_matches(wrong, v.hash)) << v.hash << " / " << wrong;
            }
        }
    }
}

TEST(Password, Apr1IsApachesMd5Crypt) {
    EXPECT_EQ(apr1_md5("password", "$apr1$abcdefgh$"), "$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1");
    // The salt stops at eight characters or at '$'.
    EXPECT_EQ(apr1_md5("password", "$apr1$abcdefghXYZ"), "$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1");
    EXPECT_EQ(apr1_md5("", "$apr1$x$whatever"), "$apr1$x$tMwYqBfQwi3FYAr0aJc8M/");
    EXPECT_EQ(apr1_md5("password", "$1$abcdefgh$"), "");
    EXPECT_EQ(sha1_password("sha pw"), "{SHA}7ubAkIthNAIpEJjMktYaoVaMPB8=");
    EXPECT_EQ(md5_hex("alice:realm one:wonderland"), "fb9a51a45ffba2a6cef1d8227e2995ce");
}

// On Linux APR hands an unknown string to crypt(3): a plain-text password
// in the file never matches itself (htpasswd -p warns so).
TEST(Password, PlainTextIsNotCompared) {
    EXPECT_FALSE(password_matches("plainpw", "plainpw"));
    EXPECT_FALSE(password_matches("secret", "secret"));
    EXPECT_FALSE(password_matches("", ""));
    EXPECT_FALSE(password_matches("x", "*"));
    EXPECT_FALSE(password_matches("x", "!"));
    EXPECT_FALSE(password_matches("bcrypt pw", "$2y$05$short"));
}

// The cache remembers successes only, keyed by the stored hash with the
// password: a wrong password after a right one is checked again.
TEST(Password, CachedChecksNeverLetAWrongPasswordIn) {
    const char* hash = "$2y$04$TX4vSZA5ILCr.pbLH77SJuJlD8/P9o41mmJc8g12lxc4HPniisSau";
    EXPECT_TRUE(password_matches_cached("b pw", hash));
    EXPECT_TRUE(password_matches_cached("b pw", hash));
    EXPECT_FALSE(password_matches_cached("b pw ", hash));
    EXPECT_FALSE(password_matches_cached("", hash));
    // The same password against another stored hash is a new question.
    EXPECT_FALSE(password_matches_cached("b pw", "$apr1$F5loxn41$TNlIpUWPHQ14hzNMUeP8x1"));
}

TEST(Password, KeysDependOnHashAndPassword) {
    auto same = [](const PasswordKey& a, const PasswordKey& b) {
        return std::equal(std::begin(a.bytes), std::end(a.bytes), std::begin(b.bytes));
    };
    EXPECT_TRUE(same(password_key("pw", "h"), password_key("pw", "h")));
    EXPECT_FALSE(same(password_key("pw", "h"), password_key("pw", "h2")));
    EXPECT_FALSE(same(password_key("pw", "h"), password_key("pw2", "h")));
    // The boundary between hash and password is part of the key.
    EXPECT_FALSE(same(password_key("bc", "a"), password_key("c", "ab")));
}

TEST(Password, VerifiedTableIsBounded) {
    auto table = std::make_unique<VerifiedPasswords>();
    std::vector<PasswordKey> keys;
    for (int i = 0; i < 4 * static_cast<int>(VerifiedPasswords::kSlots); ++i) {
        keys.push_back(password_key(std::to_string(i), "h"));
        table->insert(keys.back());
    }
    int remembered = 0;
    for (const PasswordKey& k : keys) {
        remembered += table->contains(k) ? 1 : 0;
    }
    EXPECT_LE(remembered, static_cast<int>(VerifiedPasswords::kSlots));
    EXPECT_TRUE(table->contains(keys.back()));
    EXPECT_FALSE(table->contains(password_key("never inserted", "h")));
}

}  // namespace
}  // namespace sonora::modules::aaa
