#include "downloads/sha256.h"

#include <openssl/evp.h>

namespace tessera::downloads {

void Sha256::Free::operator()(evp_md_ctx_st* ctx) const noexcept { EVP_MD_CTX_free(ctx); }

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_) qFatal("OpenSSL could not allocate a digest context");
    reset();
}

Sha256::~Sha256() = default;

void Sha256::reset() {
    if (EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) qFatal("OpenSSL has no SHA-256");
}

void Sha256::add(const char* data, qint64 size) { EVP_DigestUpdate(ctx_.get(), data, static_cast<size_t>(size)); }

QString Sha256::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &length);
    reset();
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(digest), static_cast<int>(length)).toHex());
}

}  // namespace tessera::downloads
