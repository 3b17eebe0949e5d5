#include "catalog_fit.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include "fit_estimate.h"
#include "gguf/gguf_file.h"
#include "model/model_summary.h"

namespace tessera::app {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("CatalogFit", text); }
QString bytes(qint64 n) { return QString::fromStdString(human_bytes(static_cast<uint64_t>(std::max<qint64>(n, 0)))); }

bool fits_with_headroom(qint64 need, const MemoryPool& pool) {
    return static_cast<double>(need) * kHeadroom <= static_cast<double>(pool.available);
}

}  // namespace

QByteArray HeaderFacts::to_json() const {
    QJsonObject o{{QStringLiteral("architecture"), architecture},
                  {QStringLiteral("quantization"), quantization},
                  {QStringLiteral("parameters"), parameter_count},
                  {QStringLiteral("weights"), weight_bytes},
                  {QStringLiteral("context"), context},
                  {QStringLiteral("need"), need_bytes},
                  {QStringLiteral("parts"), split_parts}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<HeaderFacts> HeaderFacts::from_json(const QByteArray& json) {
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    if (!o.value(QLatin1String("need")).isDouble()) return std::nullopt;
    HeaderFacts f;
    f.architecture = o.value(QLatin1String("architecture")).toString();
    f.quantization = o.value(QLatin1String("quantization")).toString();
    f.parameter_count = o.value(QLatin1String("parameters")).toInteger();
    f.weight_bytes = o.value(QLatin1String("weights")).toInteger();
    f.context = o.value(QLatin1String("context")).toInt();
    f.need_bytes = o.value(QLatin1String("need")).toInteger();
    f.split_parts = std::max(1, o.value(QLatin1String("parts")).toInt(1));
    return f;
}

std::optional<qint64> read_header_facts(const QByteArray& prefix, qint64 file_size, qint64 other_parts_bytes,
                                        std::optional<HeaderFacts>& facts, QString& error) {
    auto read = GgufFile::parse_header(reinterpret_cast<const uint8_t*>(prefix.constData()),
                                       static_cast<size_t>(prefix.size()), static_cast<uint64_t>(file_size), "header");
    if (!read) {
        error = QString::fromStdString(read.error().message);
        return std::nullopt;
    }
    if (!read->file) return static_cast<qint64>(read->more_bytes_needed);
    auto summary = summarize_header(*read->file);
    if (!summary) {
        error = QString::fromStdString(summary.error().message);
        return std::nullopt;
    }
    HeaderFacts f;
    f.architecture = QString::fromStdString(summary->config.architecture);
    f.quantization = QString::fromStdString(summary->quantization);
    f.parameter_count = summary->parameter_count;
    f.split_parts = summary->split_count;
    f.weight_bytes = static_cast<qint64>(summary->weight_bytes) + std::max<qint64>(other_parts_bytes, 0);
    // The context the app loads with (FitEstimate's default).
    f.context = static_cast<int>(std::min<int64_t>(FitEstimate::kDefaultContext, std::max<int64_t>(summary->config.n_ctx_train, 1)));
    f.need_bytes = static_cast<qint64>(estimate_memory(summary->config, static_cast<uint64_t>(f.weight_bytes), f.context).total());
    facts = f;
    return std::nullopt;
}

std::vector<std::optional<CatalogVerdict>> judge_catalog_files(const std::vector<std::optional<qint64>>& needs,
                                                               const std::vector<MemoryPool>& pools) {
    std::vector<std::optional<CatalogVerdict>> verdicts(needs.size());
    std::optional<size_t> best_gpu, best_ram;
    for (size_t i = 0; i < needs.size(); ++i) {
        if (!needs[i]) continue;
        const qint64 need = *needs[i];
        const FitVerdict fit = judge_fit(static_cast<uint64_t>(need), pools);
        CatalogVerdict v;
        v.kind = fit.kind;
        switch (fit.kind) {
            case FitKind::Gpu: v.text = tr("Fits in GPU (%1): needs %2").arg(QString::fromStdString(fit.where), bytes(need)); break;
            case FitKind::Ram: v.text = tr("Fits in RAM: needs %1").arg(bytes(need)); break;
            case FitKind::Split: v.text = tr("Fits only split across RAM and GPU: needs %1").arg(bytes(need)); break;
            case FitKind::NotNow: v.text = tr("Needs %1; not that much is free now").arg(bytes(need)); break;
            case FitKind::TooBig: v.text = tr("Too big: needs %1").arg(bytes(need)); break;
        }
        verdicts[i] = v;
        bool on_gpu = false, in_ram = false;
        for (const MemoryPool& p : pools) {
            if (!fits_with_headroom(need, p)) continue;
            (p.gpu ? on_gpu : in_ram) = true;
        }
        auto larger = [&](std::optional<size_t> best) { return !best || need > *needs[*best]; };
        if (on_gpu && larger(best_gpu)) best_gpu = i;
        if (in_ram && larger(best_ram)) best_ram = i;
    }
    if (const auto best = best_gpu ? best_gpu : best_ram) verdicts[*best]->recommended = true;
    return verdicts;
}

std::optional<SplitPart> split_part(const QString& path) {
    static const QRegularExpression pattern(QStringLiteral("^(.*)-(\\d{5})-of-(\\d{5})\\.gguf$"),
                                            QRegularExpression::CaseInsensitiveOption);
    const auto m = pattern.match(path);
    if (!m.hasMatch()) return std::nullopt;
    SplitPart part{m.captured(1), m.captured(2).toInt(), m.captured(3).toInt()};
    if (part.index < 1 || part.count < 1 || part.index > part.count) return std::nullopt;
    return part;
}

}  // namespace tessera::app
