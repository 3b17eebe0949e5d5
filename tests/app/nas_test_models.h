// Model files for the models page's tests (Qt Test and Qt Quick Test alike): a synthetic NAS
// model with one layer of every block variant worth showing, and a copy cut in half.
#pragma once

#include <QFile>
#include <QString>
#include <QtGlobal>

#include "synthetic_model.h"

namespace tessera::app::testing {

// n_embd 64, 4 heads of 16, vocab 96, trained context 512.
inline SyntheticSpec every_variant_spec() {
    SyntheticSpec spec;
    spec.name = "every-variant";
    spec.n_embd = 64;
    spec.n_head = 4;
    spec.n_vocab = 96;
    spec.n_ctx = 512;
    spec.seed = 7;
    spec.layers = {
        {AttentionKind::Gqa, 2, FfnKind::SwiGlu, 96},     // 0
        {AttentionKind::Linear, 0, FfnKind::SwiGlu, 64},  // 1
        {AttentionKind::None, 0, FfnKind::SwiGlu, 128},   // 2
        {AttentionKind::Gqa, 1, FfnKind::Linear, 0},      // 3
        {AttentionKind::Gqa, 4, FfnKind::None, 0},        // 4
        {AttentionKind::Linear, 0, FfnKind::None, 0},     // 5
        {AttentionKind::None, 0, FfnKind::None, 0},       // 6
    };
    return spec;
}
// K and V in f16 for the GQA layers 0, 3, 4: 2 * (2 + 1 + 4) heads * 16 * 2 bytes.
inline constexpr qint64 kEveryVariantKvBytesPerToken = 2 * (2 + 1 + 4) * 16 * 2;

inline bool write_model(const QString& path, const SyntheticSpec& spec = every_variant_spec()) {
    SyntheticWriteOptions options;
    options.n_threads = 1;
    Status s = write_synthetic_model(spec, path.toStdString(), options);
    if (!s) qWarning("writing %s: %s", qPrintable(path), s.error().message.c_str());
    return s.ok();
}

// The first half of `from`: a GGUF whose tensors run past its end.
inline bool write_truncated_copy(const QString& from, const QString& to) {
    QFile in(from), out(to);
    return in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly) && out.write(in.read(in.size() / 2)) > 0;
}

}  // namespace tessera::app::testing
