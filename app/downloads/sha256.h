// Incremental SHA-256 over OpenSSL's EVP interface. Qt's QCryptographicHash is portable C
// (about 90 MiB/s here) and would make hashing, not the network, the limit of a download;
// OpenSSL uses the CPU's SHA extensions (over 1 GiB/s). libcrypto is already loaded by
// QtNetwork for TLS.
#pragma once

#include <QByteArray>
#include <QString>
#include <memory>

struct evp_md_ctx_st;

namespace tessera::downloads {

class Sha256 {
public:
    Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    ~Sha256();

    void reset();
    void add(const char* data, qint64 size);
    QString hex();  // lowercase; the hash then starts over

private:
    struct Free {
        void operator()(evp_md_ctx_st* ctx) const noexcept;
    };
    std::unique_ptr<evp_md_ctx_st, Free> ctx_;
};

}  // namespace tessera::downloads
