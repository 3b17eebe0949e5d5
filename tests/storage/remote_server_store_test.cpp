#include "storage/remote_server_store.h"
#include "temp_dir.h"

namespace tessera::storage {
namespace {
using testing::must;

class RemoteServerStoreTest : public testing::TempDirTest {
protected:
    void SetUp() override {
        TempDirTest::SetUp();
        db_ = open_migrated();
        store_ = std::make_unique<RemoteServerStore>(db_, [this] { return clock_ms_; });
    }
    static RemoteServer sample() {
        RemoteServer r;
        r.name = "DGX cluster";
        r.base_url = "https://dgx.example:8000";
        r.has_key = true;
        r.models = {"nvidia/Llama-3_1-Nemotron-Ultra-253B-v1", "nvidia/Llama-3_3-Nemotron-Super-49B-v1"};
        r.first_byte_timeout_ms = 120000;
        r.idle_timeout_ms = 45000;
        return r;
    }
    Database db_;
    std::int64_t clock_ms_ = 7'000;
    std::unique_ptr<RemoteServerStore> store_;
};

TEST_F(RemoteServerStoreTest, AddReadUpdateListRemove) {
    const auto id = must(store_->add(sample()));
    auto read = must(store_->server(id));
    EXPECT_EQ(read.name, "DGX cluster");
    EXPECT_EQ(read.base_url, "https://dgx.example:8000");
    EXPECT_TRUE(read.has_key);
    EXPECT_EQ(read.models, sample().models);
    EXPECT_EQ(read.first_byte_timeout_ms, 120000);
    EXPECT_EQ(read.idle_timeout_ms, 45000);
    EXPECT_EQ(read.added_at_ms, 7'000);

    clock_ms_ += 100;
    read.name = "DGX";
    read.has_key = false;
    ASSERT_OK(store_->update(read));
    ASSERT_OK(store_->set_models(id, {"only-one"}));
    const auto second = must(store_->add(sample()));
    auto all = must(store_->servers());
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, id);  // in the order they were added
    EXPECT_EQ(all[0].name, "DGX");
    EXPECT_FALSE(all[0].has_key);
    EXPECT_EQ(all[0].models, std::vector<std::string>{"only-one"});
    EXPECT_EQ(all[0].added_at_ms, 7'000);  // kept by updates
    EXPECT_EQ(all[1].id, second);

    ASSERT_OK(store_->remove(id));
    EXPECT_EQ(store_->server(id).error().extended_code, kErrorNotFound);
    EXPECT_EQ(store_->remove(id).error().extended_code, kErrorNotFound);
    EXPECT_EQ(must(store_->servers()).size(), 1u);
}

TEST_F(RemoteServerStoreTest, RefusesWhatCannotBeUsed) {
    RemoteServer r = sample();
    r.name.clear();
    EXPECT_EQ(store_->add(r).error().extended_code, kErrorMisuse);
    r = sample();
    r.idle_timeout_ms = 0;
    EXPECT_EQ(store_->add(r).error().extended_code, kErrorMisuse);
    r = sample();
    r.models = {"two\nlines"};
    EXPECT_EQ(store_->add(r).error().extended_code, kErrorMisuse);
    EXPECT_EQ(must(store_->servers()).size(), 0u);
    r = sample();
    r.id = 99;
    EXPECT_EQ(store_->update(r).error().extended_code, kErrorNotFound);
}

TEST_F(RemoteServerStoreTest, NoServerHasNoModels) {
    RemoteServer r = sample();
    r.models.clear();
    const auto id = must(store_->add(r));
    EXPECT_TRUE(must(store_->server(id)).models.empty());
}

}  // namespace
}  // namespace tessera::storage
