// The block plan as rows for the layer-map picture: one row per layer with its attention kind
// and KV heads, FFN kind and width. Filled from a ModelConfig read off the GUI thread.
#pragma once

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

#include "model/block_plan.h"

namespace tessera::app {

class LayerMapModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by ModelDetails")
    Q_PROPERTY(int count READ rowCount NOTIFY planChanged)
    Q_PROPERTY(qint64 maxFfnWidth READ maxFfnWidth NOTIFY planChanged)
    Q_PROPERTY(qint64 maxKvHeads READ maxKvHeads NOTIFY planChanged)
    Q_PROPERTY(QString summary READ summary NOTIFY planChanged)

public:
    enum Roles {
        AttentionRole = Qt::UserRole + 1,  // attention: "gqa", "linear" or "none"
        HeadsRole,                         // heads: query heads (0 for a no-op attention)
        KvHeadsRole,                       // kvHeads: KV heads (GQA only, 0 otherwise)
        FfnRole,                           // ffn: "swiglu", "linear" or "none"
        FfnWidthRole,                      // ffnWidth: SwiGLU width (0 otherwise)
        DescriptionRole,                   // description: "layer 3: attention gqa kv=8, ffn swiglu 14336"
    };

    explicit LayerMapModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}

    void setPlan(const std::vector<LayerPlan>& layers);
    void clear() { setPlan({}); }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    qint64 maxFfnWidth() const;
    qint64 maxKvHeads() const;
    // "80 layers: attention: 49 gqa, 0 linear, 31 none; ffn: 80 swiglu, 0 linear, 0 none"
    QString summary() const;

signals:
    void planChanged();

private:
    std::vector<LayerPlan> layers_;
};

}  // namespace tessera::app
