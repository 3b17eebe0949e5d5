// The C++ behind the models page, on synthetic NAS models written by the test, a real
// database and real files: the layer map of every block variant, the fit estimate, the
// machine's memory, import (copied, referenced, a folder, a truncated file) and delete.
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "app_storage.h"
#include "catalog_fit.h"
#include "fit_estimate.h"
#include "layer_map_model.h"
#include "machine_memory.h"
#include "model_catalog_model.h"
#include "model_details.h"
#include "model_library.h"
#include "storage/catalog_store.h"
#include "nas_test_models.h"
#include "synthetic_hf.h"

using namespace tessera;
using namespace tessera::app;
using namespace tessera::app::testing;

namespace {

constexpr int kWaitMs = 60000;  // a bound for a stuck pool thread, not a performance limit
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

bool wait_ready(ModelDetails& details) {
    QSignalSpy spy(&details, &ModelDetails::statusChanged);
    while (details.status() == ModelDetails::Status::Reading)
        if (!spy.wait(kWaitMs)) return false;
    return true;
}

MachinePool pool(const char* name, bool gpu, double total_gib, double free_gib) {
    return {MemoryPool{name, gpu, static_cast<uint64_t>(total_gib * kGiB), static_cast<uint64_t>(free_gib * kGiB)}, false};
}

}  // namespace

class ModelsPageTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath(QStringLiteral("source/nas-every-variant.gguf"));
        QVERIFY(QDir().mkpath(dir_.filePath(QStringLiteral("source"))));
        QVERIFY(write_model(model_));
        truncated_ = dir_.filePath(QStringLiteral("broken/nas-truncated.gguf"));
        QVERIFY(QDir().mkpath(dir_.filePath(QStringLiteral("broken"))));
        QVERIFY(write_truncated_copy(model_, truncated_));
    }

    void init() {
        data_ = std::make_unique<QTemporaryDir>();
        QVERIFY(data_->isValid());
        auto opened = AppStorage::open(data_->path().toStdString());
        QVERIFY2(opened.ok(), opened.ok() ? "" : opened.error().message.c_str());
        storage_ = std::move(*opened);
        catalog_ = std::make_unique<ModelCatalogModel>(storage_->db(), storage::system_clock_ms);
        library_ = std::make_unique<ModelLibrary>(storage_->db(), models_folder(), *catalog_);
    }

    void cleanup() {
        library_.reset();
        catalog_.reset();
        storage_.reset();
        data_.reset();
    }

    void layerMapHasARowPerLayerWithItsVariant() {
        ModelDetails details;
        details.setPath(model_);
        QCOMPARE(details.status(), ModelDetails::Status::Reading);
        QVERIFY(wait_ready(details));
        QCOMPARE(details.status(), ModelDetails::Status::Ready);
        QCOMPARE(details.architecture(), QStringLiteral("deci"));
        QCOMPARE(details.quantization(), QStringLiteral("F32"));
        QCOMPARE(details.name(), QStringLiteral("every-variant"));
        QVERIFY(details.parameterCount() > 0);
        QCOMPARE(details.fileSize(), static_cast<double>(QFileInfo(model_).size()));

        LayerMapModel* layers = details.layers();
        QCOMPARE(layers->rowCount(), 7);
        struct Expected {
            const char* attention;
            int kv;
            const char* ffn;
            int width;
        };
        const Expected expected[] = {{"gqa", 2, "swiglu", 96}, {"linear", 0, "swiglu", 64}, {"none", 0, "swiglu", 128},
                                     {"gqa", 1, "linear", 0},  {"gqa", 4, "none", 0},       {"linear", 0, "none", 0},
                                     {"none", 0, "none", 0}};
        for (int row = 0; row < 7; ++row) {
            const QModelIndex i = layers->index(row);
            QCOMPARE(i.data(LayerMapModel::AttentionRole).toString(), QString::fromLatin1(expected[row].attention));
            QCOMPARE(i.data(LayerMapModel::KvHeadsRole).toInt(), expected[row].kv);
            QCOMPARE(i.data(LayerMapModel::FfnRole).toString(), QString::fromLatin1(expected[row].ffn));
            QCOMPARE(i.data(LayerMapModel::FfnWidthRole).toInt(), expected[row].width);
            QCOMPARE(i.data(LayerMapModel::HeadsRole).toInt(), QString::fromLatin1(expected[row].attention) == "none" ? 0 : 4);
        }
        QCOMPARE(layers->index(4).data(LayerMapModel::DescriptionRole).toString(),
                 QStringLiteral("layer 4: attention gqa kv=4, ffn none"));
        QCOMPARE(layers->maxFfnWidth(), 128);
        QCOMPARE(layers->maxKvHeads(), 4);
        QCOMPARE(layers->summary(), QStringLiteral("7 layers: attention: 3 gqa, 2 linear, 2 none; ffn: 3 swiglu, 1 linear, 3 none"));
    }

    void aTruncatedFileShowsTheReadersError() {
        ModelDetails details;
        details.setPath(truncated_);
        QVERIFY(wait_ready(details));
        QCOMPARE(details.status(), ModelDetails::Status::Failed);
        QVERIFY2(!details.errorText().isEmpty(), "no error text");
        QCOMPARE(details.layers()->rowCount(), 0);
        QVERIFY(!details.fit()->known());
    }

    void fitEstimateFollowsContextAndMachine() {
        MachineMemory machine;
        machine.setPools({pool("RAM", false, 16, 8), pool("Big GPU", true, 24, 20)});
        ModelDetails details;
        details.setMachine(&machine);
        details.setPath(model_);
        QVERIFY(wait_ready(details));
        FitEstimate* fit = details.fit();
        QVERIFY(fit->known());
        QCOMPARE(fit->trainedContext(), 512);
        QCOMPARE(fit->contextLength(), 512);  // the default 4096 is more than it was trained on

        fit->setContextLength(1000);
        QCOMPARE(fit->kvCacheBytes(), static_cast<double>(kEveryVariantKvBytesPerToken * 1000));
        QCOMPARE(fit->weightBytes(), static_cast<double>(details.summary()->weight_bytes));
        QCOMPARE(fit->totalBytes(), fit->weightBytes() + fit->kvCacheBytes() + fit->scratchBytes());
        QVERIFY(fit->scratchBytes() > 0);
        QCOMPARE(fit->verdict(), FitEstimate::Verdict::Gpu);
        QVERIFY2(fit->verdictText().contains(QStringLiteral("Big GPU")), qPrintable(fit->verdictText()));

        QSignalSpy changed(fit, &FitEstimate::changed);
        fit->setContextLength(2000);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(fit->kvCacheBytes(), static_cast<double>(kEveryVariantKvBytesPerToken * 2000));

        // A machine far too small for it: the model needs a server.
        machine.setPools({pool("RAM", false, 0.0001, 0.00005)});
        QCOMPARE(fit->verdict(), FitEstimate::Verdict::TooBig);
        QVERIFY2(fit->verdictText().contains(QStringLiteral("server")), qPrintable(fit->verdictText()));
        const QVariantList pools = fit->pools();
        QCOMPARE(pools.size(), 1);
        QCOMPARE(pools[0].toMap().value(QStringLiteral("fits")).toBool(), false);
    }

    // The catalog's recommendation rule (catalog_fit.h): with 15% to spare, a GPU before RAM,
    // then the largest need (the best quantization); nothing when nothing fits with headroom.
    void catalogRecommendationRule() {
        constexpr qint64 G = 1ll << 30;
        const std::vector<MemoryPool> machine{{"RAM", false, 64 * G, 40 * G}, {"GPU", true, 24 * G, 20 * G}};
        // 30 GiB fits RAM only; 17 GiB fits the GPU with headroom (19.55 <= 20); 18 GiB fits the
        // GPU but not with headroom (20.7 > 20); 8 GiB fits the GPU easily.
        const auto v = judge_catalog_files({30 * G, 17 * G, 18 * G, 8 * G, std::nullopt}, machine);
        QCOMPARE(v.size(), 5u);
        QVERIFY(!v[4]);
        QCOMPARE(v[0]->kind, FitKind::Ram);
        QVERIFY(v[0]->text.startsWith(QStringLiteral("Fits in RAM: needs 30.00 GiB")));
        QCOMPARE(v[2]->kind, FitKind::Gpu);
        QVERIFY(v[1]->recommended);  // the GPU wins over the larger RAM-only file
        QVERIFY(!v[0]->recommended && !v[2]->recommended && !v[3]->recommended);

        // No GPU fit with headroom: the largest RAM fit with headroom.
        const auto ram = judge_catalog_files({30 * G, 36 * G, 35 * G}, machine);
        QVERIFY(ram[0]->recommended);  // 36 * 1.15 and 35 * 1.15 are above 40
        QVERIFY(!ram[1]->recommended && !ram[2]->recommended);

        // Too big for this machine: said so, nothing recommended.
        const auto big = judge_catalog_files({140 * G}, machine);
        QCOMPARE(big[0]->kind, FitKind::TooBig);
        QVERIFY(big[0]->text.startsWith(QStringLiteral("Too big: needs 140.00 GiB")));
        QVERIFY(!big[0]->recommended);

        // Split model names.
        const auto part = split_part(QStringLiteral("Q4_K_M/model-Q4_K_M-00002-of-00003.gguf"));
        QVERIFY(part);
        QCOMPARE(part->stem, QStringLiteral("Q4_K_M/model-Q4_K_M"));
        QCOMPARE(part->index, 2);
        QCOMPARE(part->count, 3);
        QVERIFY(!split_part(QStringLiteral("model-Q4_K_M.gguf")));
        QVERIFY(!split_part(QStringLiteral("model-00004-of-00003.gguf")));

        // Header facts survive the database round trip.
        HeaderFacts f;
        f.quantization = QStringLiteral("Q8_0");
        f.need_bytes = 123456789012;
        f.context = 4096;
        f.split_parts = 3;
        const auto back = HeaderFacts::from_json(f.to_json());
        QVERIFY(back);
        QCOMPARE(back->need_bytes, f.need_bytes);
        QCOMPARE(back->split_parts, 3);
        QCOMPARE(back->quantization, QStringLiteral("Q8_0"));
        QVERIFY(!HeaderFacts::from_json("{\"quantization\":\"x\"}"));
    }

    void machineMemoryReadsMeminfoAndThisMachine() {
        const QByteArray text = "MemTotal:       16318480 kB\nMemFree:         1187344 kB\nMemAvailable:    9876543 kB\n";
        auto ram = MachineMemory::parse_meminfo(text);
        QVERIFY(ram.has_value());
        QCOMPARE(ram->total, uint64_t{16318480} * 1024);
        QCOMPARE(ram->available, uint64_t{9876543} * 1024);
        QVERIFY(!MachineMemory::parse_meminfo("MemTotal: 5 kB\n").has_value());

        MachineMemory machine;
        QSignalSpy ready(&machine, &MachineMemory::poolsChanged);
        machine.refresh();
        QVERIFY(ready.wait(kWaitMs));
        QVERIFY(machine.ready());
        QVERIFY(!machine.pools().empty());
        const MemoryPool& first = machine.pools().front().pool;
        QCOMPARE(QString::fromStdString(first.name), QStringLiteral("RAM"));
        QVERIFY(first.total > 0 && first.available <= first.total);
    }

    void importCopiesAValidFileIntoTheModelsFolder() {
        QVERIFY(import_and_wait(model_, true));
        QCOMPARE(library_->errorText(), QString());
        const QString copied = QDir(models_folder()).filePath(QStringLiteral("nas-every-variant.gguf"));
        QVERIFY(QFile::exists(copied));
        QVERIFY(!QFile::exists(copied + QStringLiteral(".part")));
        QCOMPARE(QFileInfo(copied).size(), QFileInfo(model_).size());
        QVERIFY(QFile::exists(model_));  // the source stays
        QCOMPARE(library_->progress(), 1.0);
        QCOMPARE(catalog_->rowCount(), 1);
        const QModelIndex row = catalog_->index(0);
        QCOMPARE(row.data(ModelCatalogModel::PathRole).toString(), copied);
        QCOMPARE(row.data(ModelCatalogModel::ArchitectureRole).toString(), QStringLiteral("deci"));
        QCOMPARE(row.data(ModelCatalogModel::QuantizationRole).toString(), QStringLiteral("F32"));
        QVERIFY(row.data(ModelCatalogModel::ParameterCountRole).toDouble() > 0);
        QVERIFY(library_->isInModelsFolder(copied));
        QVERIFY(!library_->isInModelsFolder(model_));
    }

    void importByReferenceLeavesTheFileWhereItIs() {
        QVERIFY(import_and_wait(QUrl::fromLocalFile(model_).toString(), false));  // a file:// URL, as a file dialog gives
        QCOMPARE(catalog_->rowCount(), 1);
        QCOMPARE(catalog_->index(0).data(ModelCatalogModel::PathRole).toString(), model_);
        QVERIFY(!QDir(models_folder()).exists() || QDir(models_folder()).isEmpty());
    }

    void aTruncatedFileIsRefusedAndNothingIsRegistered() {
        QSignalSpy finished(library_.get(), &ModelLibrary::importFinished);
        QVERIFY(import_and_wait(truncated_, true));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished[0][0].toInt(), 0);
        QCOMPARE(finished[0][1].toInt(), 1);
        QVERIFY2(library_->errorText().startsWith(QStringLiteral("nas-truncated.gguf: ")), qPrintable(library_->errorText()));
        QCOMPARE(catalog_->rowCount(), 0);
        QVERIFY(!QDir(models_folder()).exists() || QDir(models_folder()).isEmpty());
    }

    void aFolderImportsItsGoodFilesAndNamesTheBadOnes() {
        QTemporaryDir folder;
        QVERIFY(QFile::copy(model_, folder.filePath(QStringLiteral("good.gguf"))));
        QVERIFY(QFile::copy(truncated_, folder.filePath(QStringLiteral("bad.gguf"))));
        QVERIFY(import_and_wait(folder.path(), true));
        QCOMPARE(catalog_->rowCount(), 1);
        QCOMPARE(QFileInfo(catalog_->index(0).data(ModelCatalogModel::PathRole).toString()).fileName(), QStringLiteral("good.gguf"));
        QVERIFY2(library_->errorText().startsWith(QStringLiteral("bad.gguf: ")), qPrintable(library_->errorText()));
        QVERIFY(!QFile::exists(QDir(models_folder()).filePath(QStringLiteral("bad.gguf"))));
    }

    void aSecondCopyOfTheSameNameIsRefused() {
        QVERIFY(import_and_wait(model_, true));
        QVERIFY(import_and_wait(model_, true));
        QVERIFY2(library_->errorText().contains(QStringLiteral("already in the models folder")), qPrintable(library_->errorText()));
        QCOMPARE(catalog_->rowCount(), 1);
    }

    // A Hugging Face checkpoint folder is converted into the models folder, in the type
    // asked for, and registered; a damaged one, or a cancelled conversion, leaves nothing.
    void aCheckpointFolderIsConvertedAndRegistered() {
        const QString hf = write_checkpoint(QStringLiteral("hf-nas"));
        QVERIFY(ModelLibrary::isCheckpointFolder(hf));
        QVERIFY(!ModelLibrary::isCheckpointFolder(model_));
        QVERIFY(import_and_wait(hf, true, QStringLiteral("q8_0")));
        QCOMPARE(library_->errorText(), QString());
        const QString converted = QDir(models_folder()).filePath(QStringLiteral("hf-nas-q8_0.gguf"));
        QVERIFY(QFile::exists(converted));
        QCOMPARE(library_->progress(), 1.0);
        QCOMPARE(catalog_->rowCount(), 1);
        const QModelIndex row = catalog_->index(0);
        QCOMPARE(row.data(ModelCatalogModel::PathRole).toString(), converted);
        QCOMPARE(row.data(ModelCatalogModel::ArchitectureRole).toString(), QStringLiteral("deci"));
        QCOMPARE(row.data(ModelCatalogModel::QuantizationRole).toString(), QStringLiteral("Q8_0"));

        // The same again: refused, the first file kept.
        QVERIFY(import_and_wait(hf, true, QStringLiteral("q8_0")));
        QVERIFY2(library_->errorText().contains(QStringLiteral("already in the models folder")), qPrintable(library_->errorText()));
        QCOMPARE(catalog_->rowCount(), 1);
        // An unknown type names itself.
        QVERIFY(import_and_wait(hf, true, QStringLiteral("q9_z")));
        QVERIFY2(library_->errorText().contains(QStringLiteral("q9_z")), qPrintable(library_->errorText()));
    }

    void aDamagedOrCancelledConversionLeavesNothing() {
        const QString hf = write_checkpoint(QStringLiteral("hf-damaged"));
        QFile weights(QDir(hf).filePath(QStringLiteral("model.safetensors")));
        QVERIFY(weights.resize(1000));
        QVERIFY(import_and_wait(hf, true));
        QVERIFY2(library_->errorText().startsWith(QStringLiteral("hf-damaged: ")), qPrintable(library_->errorText()));
        QCOMPARE(catalog_->rowCount(), 0);
        QVERIFY(!QDir(models_folder()).exists() || QDir(models_folder()).isEmpty());

        const QString good = write_checkpoint(QStringLiteral("hf-cancel"));
        std::atomic<bool> cancel{true};
        const ImportOutcome outcome = ModelLibrary::run_import(good, true, models_folder(), cancel, [](double) {});
        QVERIFY(outcome.cancelled);
        QVERIFY(outcome.imported.empty());
        QVERIFY(QDir(models_folder()).isEmpty());
    }

    void aMissingPathIsAClearError() {
        QVERIFY(import_and_wait(dir_.filePath(QStringLiteral("nowhere.gguf")), true));
        QVERIFY2(library_->errorText().contains(QStringLiteral("does not exist")), qPrintable(library_->errorText()));
        QVERIFY(!library_->importPath(QString(), true));
        QVERIFY(!library_->errorText().isEmpty());
    }

    void deleteRemovesFileAndEntry() {
        QVERIFY(import_and_wait(model_, true));
        const QString copied = catalog_->index(0).data(ModelCatalogModel::PathRole).toString();
        QVERIFY(library_->removeModel(copied, true));
        QVERIFY(!QFile::exists(copied));
        QCOMPARE(catalog_->rowCount(), 0);
        QVERIFY(QFile::exists(model_));
    }

    void deletingOnlyTheEntryKeepsAReferencedFile() {
        QVERIFY(import_and_wait(model_, false));
        QVERIFY(library_->removeModel(model_, false));
        QCOMPARE(catalog_->rowCount(), 0);
        QVERIFY(QFile::exists(model_));
        QVERIFY(!library_->removeModel(model_, false));  // no longer known
        QVERIFY(!library_->errorText().isEmpty());
    }

    void detailsReadLaterAreRecordedInTheList() {
        QVERIFY(storage_->register_model(model_.toStdString()).ok());  // as --model does: path and size only
        catalog_->refresh();
        QCOMPARE(catalog_->index(0).data(ModelCatalogModel::ArchitectureRole).toString(), QString());
        ModelDetails details;
        details.setPath(model_);
        QVERIFY(wait_ready(details));
        catalog_->recordDetails(&details);
        QCOMPARE(catalog_->index(0).data(ModelCatalogModel::ArchitectureRole).toString(), QStringLiteral("deci"));
        catalog_->refresh();  // stored, not only shown
        QCOMPARE(catalog_->index(0).data(ModelCatalogModel::QuantizationRole).toString(), QStringLiteral("F32"));
    }

private:
    QString models_folder() const { return data_->filePath(QStringLiteral("models")); }

    bool import_and_wait(const QString& source, bool copy, const QString& convert_type = QString()) {
        QSignalSpy finished(library_.get(), &ModelLibrary::importFinished);
        if (!library_->importPath(source, copy, convert_type)) return false;
        if (!library_->busy()) return false;
        return finished.wait(kWaitMs) && !library_->busy();
    }

    // A small DeciLM checkpoint folder of every block variant under dir_.
    QString write_checkpoint(const QString& name) {
        const QString tokenizer = dir_.filePath(name + QStringLiteral("-tokenizer"));
        const QString folder = dir_.filePath(name);
        if (!write_tiny_bpe_tokenizer(tokenizer.toStdString(), 90)) return {};
        SyntheticSpec spec = every_variant_spec();
        for (auto& layer : spec.layers)
            if (layer.ffn == FfnKind::SwiGlu) layer.ffn_width = 256;  // what ffn_mult can express
        Status s = write_synthetic_hf_checkpoint(spec, folder.toStdString(), tokenizer.toStdString());
        if (!s) qWarning("writing %s: %s", qPrintable(folder), s.error().message.c_str());
        return folder;
    }

    QTemporaryDir dir_;
    QString model_, truncated_;
    std::unique_ptr<QTemporaryDir> data_;
    std::unique_ptr<AppStorage> storage_;
    std::unique_ptr<ModelCatalogModel> catalog_;
    std::unique_ptr<ModelLibrary> library_;
};

QTEST_GUILESS_MAIN(ModelsPageTest)
#include "models_page_test.moc"
