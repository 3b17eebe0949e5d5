// One generation slot (A9): a request that arrives while a generation holds it gets 429 in
// OpenAI's error shape, streamed or not; a client that hangs up mid-generation, streamed or
// not, stops it within a few tokens (counted in evals, the reply would run to max_tokens).
#include <nlohmann/json.hpp>

#include "server_harness.h"

namespace tessera::test {
namespace {

using nlohmann::json;

void expect_rate_limited(const httplib::Result& res) {
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 429) << res->body;
    const json body = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(body.contains("error")) << res->body;
    EXPECT_EQ(body["error"]["type"], "rate_limit_error");
    EXPECT_EQ(body["error"]["code"], "rate_limit_exceeded");
    EXPECT_TRUE(body["error"]["message"].is_string() && !body["error"]["message"].get<std::string>().empty());
    EXPECT_TRUE(body["error"].contains("param"));
}

void held_request_then_second_gets_429(bool stream_first) {
    ServedModel served;
    served.evaluator->close_gate();
    int first_status = 0;
    std::string first_body;
    std::thread holder([&] {
        auto res = served.client()->Post("/v1/chat/completions", chat_body(4, stream_first), "application/json");
        if (res) first_status = res->status, first_body = res->body;
    });
    ASSERT_TRUE(served.evaluator->wait_until_held());

    expect_rate_limited(served.client()->Post("/v1/chat/completions", chat_body(4), "application/json"));
    expect_rate_limited(served.client()->Post("/v1/completions", R"({"prompt":"I","max_tokens":2})", "application/json"));

    served.evaluator->open_gate();
    holder.join();
    EXPECT_EQ(first_status, 200) << first_body;
    auto after = served.client()->Post("/v1/chat/completions", chat_body(2), "application/json");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200) << "the slot is free again: " << after->body;
}

TEST(ApiServerSlot, RequestWhileAGenerationRunsGets429) { held_request_then_second_gets_429(false); }

TEST(ApiServerSlot, RequestWhileAStreamRunsGets429) { held_request_then_second_gets_429(true); }

TEST(ApiServerSlot, ConnectedClientGetsAllItsTokens) {  // the disconnect check never misfires
    ServedModel served;
    auto res = served.client()->Post("/v1/chat/completions", chat_body(40), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(json::parse(res->body)["usage"]["completion_tokens"], 40);
}

TEST(ApiServerSlot, TheSlotIsFreeOnceAStreamHasEnded) {
    ServedModel served;
    for (int i = 0; i < 100; ++i) {  // each request on a new connection, as httplib's client does
        auto stream = served.client()->Post("/v1/chat/completions", chat_body(2, true), "application/json");
        ASSERT_TRUE(stream);
        ASSERT_EQ(stream->status, 200) << stream->body;
        auto next = served.client()->Post("/v1/chat/completions", chat_body(1), "application/json");
        ASSERT_TRUE(next);
        ASSERT_EQ(next->status, 200) << "request " << i << " right after a stream ended: " << next->body;
    }
}

// Sends the request, lets the generation make a few tokens, hangs up while it is held at
// the gate, then lets it run: the evals after the hang-up are what it did for nobody.
int64_t evals_after_hang_up(bool stream) {
    ServedModel served;
    served.evaluator->close_gate();
    const int sock = connect_loopback(served.port);
    EXPECT_GE(sock, 0);
    EXPECT_TRUE(send_all(sock, raw_post(served.port, "/v1/chat/completions", chat_body(300, stream))));
    EXPECT_TRUE(served.evaluator->wait_until_held());  // the prompt
    served.evaluator->allow(4);
    EXPECT_TRUE(served.evaluator->wait_until_held());  // a few tokens later
    EXPECT_TRUE(served.api().busy());
    ::close(sock);
    const int64_t before = served.evaluator->evals();
    served.evaluator->open_gate();
    EXPECT_TRUE(eventually([&] { return !served.api().busy(); }));
    return served.evaluator->evals() - before;
}

TEST(ApiServerSlot, HangingUpMidStreamStopsTheGeneration) {
    const int64_t wasted = evals_after_hang_up(true);
    EXPECT_LE(wasted, 3) << "tokens generated after the client left (it asked for 300)";
}

TEST(ApiServerSlot, HangingUpOnANonStreamedRequestStopsTheGeneration) {
    const int64_t wasted = evals_after_hang_up(false);
    EXPECT_LE(wasted, 3) << "tokens generated after the client left (it asked for 300)";
}

}  // namespace
}  // namespace tessera::test
