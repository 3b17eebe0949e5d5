#include "layer_map_model.h"

#include <algorithm>

namespace tessera::app {
namespace {

QString attention_name(AttentionKind k) {
    switch (k) {
        case AttentionKind::Gqa: return QStringLiteral("gqa");
        case AttentionKind::Linear: return QStringLiteral("linear");
        case AttentionKind::None: return QStringLiteral("none");
    }
    return {};
}

QString ffn_name(FfnKind k) {
    switch (k) {
        case FfnKind::SwiGlu: return QStringLiteral("swiglu");
        case FfnKind::Linear: return QStringLiteral("linear");
        case FfnKind::None: return QStringLiteral("none");
    }
    return {};
}

}  // namespace

void LayerMapModel::setPlan(const std::vector<LayerPlan>& layers) {
    beginResetModel();
    layers_ = layers;
    endResetModel();
    emit planChanged();
}

int LayerMapModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(layers_.size());
}

QVariant LayerMapModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const LayerPlan& l = layers_[static_cast<size_t>(index.row())];
    switch (role) {
        case AttentionRole: return attention_name(l.attention);
        case HeadsRole: return QVariant::fromValue<qint64>(l.attention == AttentionKind::None ? 0 : l.n_head);
        case KvHeadsRole: return QVariant::fromValue<qint64>(l.attention == AttentionKind::Gqa ? l.n_head_kv : 0);
        case FfnRole: return ffn_name(l.ffn);
        case FfnWidthRole: return QVariant::fromValue<qint64>(l.ffn == FfnKind::SwiGlu ? l.ffn_width : 0);
        case DescriptionRole:
            return tr("layer %1: attention %2, ffn %3")
                .arg(index.row())
                .arg(QString::fromStdString(describe_attention(l)), QString::fromStdString(describe_ffn(l)));
        default: return {};
    }
}

QHash<int, QByteArray> LayerMapModel::roleNames() const {
    return {{AttentionRole, "attention"}, {HeadsRole, "heads"}, {KvHeadsRole, "kvHeads"},
            {FfnRole, "ffn"},             {FfnWidthRole, "ffnWidth"}, {DescriptionRole, "description"}};
}

qint64 LayerMapModel::maxFfnWidth() const {
    qint64 w = 0;
    for (const auto& l : layers_)
        if (l.ffn == FfnKind::SwiGlu) w = std::max<qint64>(w, l.ffn_width);
    return w;
}

qint64 LayerMapModel::maxKvHeads() const {
    qint64 h = 0;
    for (const auto& l : layers_)
        if (l.attention == AttentionKind::Gqa) h = std::max<qint64>(h, l.n_head_kv);
    return h;
}

QString LayerMapModel::summary() const {
    return tr("%1 layers: %2").arg(layers_.size()).arg(QString::fromStdString(describe_layer_kinds(layers_)));
}

}  // namespace tessera::app
