// A model file with its tokenizer: what every front end (CLI, app, server) loads before
// choosing a backend. Errors name the file.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace tessera {

struct LoadedModel {
    std::unique_ptr<Model> model;
    std::unique_ptr<Tokenizer> tokenizer;
};

Result<LoadedModel> load_model_and_tokenizer(const std::string& path);

}  // namespace tessera
