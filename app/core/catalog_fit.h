// "Will it fit" for the catalog's files, before any is downloaded. The download thread reads
// each file's GGUF header (downloads::HeaderProbe fetches its first bytes) into HeaderFacts,
// cached in the database so the verdicts still show offline; the GUI thread judges them
// against this machine's memory (MachineMemory) and marks one file as recommended.
//
// Recommendation rule: a file is a candidate when its need fits one place with 15% to spare
// (kHeadroom: drivers, the process itself and a somewhat longer context take more than the
// estimate). Candidates on a GPU win over candidates in RAM (much faster); among the winners
// the one needing the most memory is recommended: the most bits per weight that fits, i.e.
// the best quantization. No candidate: nothing is recommended.
#pragma once

#include <QByteArray>
#include <QString>
#include <QVariantMap>
#include <optional>
#include <vector>

#include "model/memory_estimate.h"

namespace tessera::app {

inline constexpr double kHeadroom = 1.15;

struct HeaderFacts {
    QString architecture, quantization;
    qint64 parameter_count = 0;
    qint64 weight_bytes = 0;  // all parts of a split model (the others counted by their sizes)
    int context = 0;          // the context length the need is for (4096, or less if trained on less)
    qint64 need_bytes = 0;    // weights + KV cache at that context + scratch
    int split_parts = 1;      // > 1: the header is the first part's

    QByteArray to_json() const;
    static std::optional<HeaderFacts> from_json(const QByteArray& json);
};

// The probe's check (downloads::HeaderProbe::Check): parses the GGUF header in `prefix` of a
// file of `file_size` bytes. Returns the bytes it needs when the prefix is too short; else
// nullopt with `facts` or `error` set. `other_parts_bytes`: the sizes of a split model's other
// parts, added to its weights.
std::optional<qint64> read_header_facts(const QByteArray& prefix, qint64 file_size, qint64 other_parts_bytes,
                                        std::optional<HeaderFacts>& facts, QString& error);

struct CatalogVerdict {
    FitKind kind = FitKind::TooBig;
    QString text;  // "Fits in GPU (RTX 4090): needs 5.20 GiB", "Too big: needs 140.00 GiB"
    bool recommended = false;
};

// One verdict per need (nullopt need: nullopt verdict), with the recommendation rule above.
std::vector<std::optional<CatalogVerdict>> judge_catalog_files(const std::vector<std::optional<qint64>>& needs,
                                                               const std::vector<MemoryPool>& pools);

// "name-00001-of-00003.gguf": part 1 of 3; nullopt for a file that is not split.
struct SplitPart {
    QString stem;  // the path without "-00001-of-00003.gguf"
    int index = 0, count = 0;
};
std::optional<SplitPart> split_part(const QString& path);

}  // namespace tessera::app
