// Remote OpenAI-compatible servers (vLLM, TensorRT-LLM, llama.cpp's server, exo) the user
// added as a model source, over schema step 6. Invariants:
//   1. No secret is stored here: has_key only records that the server has an API key (the
//      app keeps it in its secret store); the row never holds key material.
//   2. name and base_url are never empty; both timeouts are positive.
//   3. models is the list of model ids the server gave when last asked, in its order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/conversation_store.h"  // Clock

namespace tessera::storage {

struct RemoteServer {
    std::int64_t id = 0;  // set by the store
    std::string name;
    std::string base_url;  // scheme, host, port and path prefix, without "/v1"
    bool has_key = false;
    std::vector<std::string> models;
    std::int64_t first_byte_timeout_ms = 60000;  // request sent -> first byte of the answer
    std::int64_t idle_timeout_ms = 30000;        // longest silence between two events of a stream
    std::int64_t added_at_ms = 0;                // set by the store on add
};

class RemoteServerStore {
public:
    explicit RemoteServerStore(Database& db, Clock clock = system_clock_ms) : db_(db), clock_(std::move(clock)) {}

    DbResult<std::int64_t> add(const RemoteServer& server);
    DbStatus update(const RemoteServer& server);  // by id; added_at stays
    DbResult<RemoteServer> server(std::int64_t id);
    DbResult<std::vector<RemoteServer>> servers();  // in the order they were added
    DbStatus set_models(std::int64_t id, const std::vector<std::string>& models);
    DbStatus remove(std::int64_t id);

private:
    Database& db_;
    Clock clock_;
};

}  // namespace tessera::storage
