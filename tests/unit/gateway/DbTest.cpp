#include <cppunit/extensions/HelperMacros.h>
#include <stdlib.h>

#include <Poco/AutoPtr.h>
#include <Poco/Logger.h>
#include <Poco/StreamChannel.h>

#include <atomic>
#include <filesystem>
#include <regex>
#include <sstream>
#include <thread>

#include "Db.h"

using namespace dad;

class DbTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DbTest);
    CPPUNIT_TEST(testConcurrentDurableTransactionsAllCommit);
    CPPUNIT_TEST(testFailingTransactionInAGroupUndoesOnlyItself);
    CPPUNIT_TEST(testExceptionBecomesIoErrorAndRollsBack);
    CPPUNIT_TEST(testDriverTextGoesToTheLogNotTheMessage);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;
    std::unique_ptr<Db> db_;

    int64_t count(const std::string& where = "1 = 1") {
        int64_t n = -1;
        CPPUNIT_ASSERT(db_->read([&](SqlRunner& sql) {
            n = sql.queryOne("SELECT count(*) FROM t WHERE " + where)->integer(0);
            return Status::ok();
        }));
        return n;
    }

public:
    void setUp() override {
        char templ[] = "/tmp/dbtest-XXXXXX";
        dir_ = mkdtemp(templ);
        CPPUNIT_ASSERT(Db::openSqlite(dir_ + "/db.sqlite", db_));
        CPPUNIT_ASSERT(db_->transaction([](SqlRunner& sql) {
            sql.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            return Status::ok();
        }));
    }
    void tearDown() override {
        db_.reset();
        std::filesystem::remove_all(dir_);
    }

    void testConcurrentDurableTransactionsAllCommit() {
        std::vector<std::thread> threads;
        for (int i = 0; i < 8; ++i) {
            threads.emplace_back([this, i] {
                for (int k = 0; k < 25; ++k) {
                    Status s = db_->transaction([&](SqlRunner& sql) {
                        sql.execute("INSERT INTO t (v) VALUES (?)",
                                    {std::to_string(i) + "-" + std::to_string(k)});
                        return Status::ok();
                    });
                    CPPUNIT_ASSERT(s);
                }
            });
        }
        for (auto& t : threads)
            t.join();
        CPPUNIT_ASSERT_EQUAL(int64_t(200), count());
    }
    void testFailingTransactionInAGroupUndoesOnlyItself() {
        std::vector<std::thread> threads;
        std::atomic<int> refused{0};
        for (int i = 0; i < 8; ++i) {
            threads.emplace_back([this, i, &refused] {
                for (int k = 0; k < 20; ++k) {
                    const bool fail = (k % 4) == 0;
                    Status s = db_->transaction([&](SqlRunner& sql) {
                        sql.execute("INSERT INTO t (v) VALUES (?)", {fail ? "bad" : "good"});
                        return fail ? Status::invalid("refused") : Status::ok();
                    });
                    CPPUNIT_ASSERT_EQUAL(!fail, s.isOk());
                    if (!s) ++refused;
                }
                (void)i;
            });
        }
        for (auto& t : threads)
            t.join();
        CPPUNIT_ASSERT_EQUAL(40, refused.load());
        CPPUNIT_ASSERT_EQUAL(int64_t(0), count("v = 'bad'"));
        CPPUNIT_ASSERT_EQUAL(int64_t(120), count("v = 'good'"));
    }
    void testExceptionBecomesIoErrorAndRollsBack() {
        Status s = db_->transaction([](SqlRunner& sql) {
            sql.execute("INSERT INTO t (v) VALUES ('x')");
            sql.execute("INSERT INTO no_such_table VALUES (1)");
            return Status::ok();
        });
        CPPUNIT_ASSERT(!s);
        CPPUNIT_ASSERT(s.code() == StatusCode::IoError);
        CPPUNIT_ASSERT_EQUAL(int64_t(0), count());
        CPPUNIT_ASSERT(db_->transaction([](SqlRunner& sql) {
            sql.execute("INSERT INTO t (v) VALUES ('after')");
            return Status::ok();
        }));
        CPPUNIT_ASSERT_EQUAL(int64_t(1), count());
    }
    void testDriverTextGoesToTheLogNotTheMessage() {
        Poco::AutoPtr<Poco::StreamChannel> channel(new Poco::StreamChannel(logged_));
        Poco::Logger::get("dadgate.catalog").setChannel(channel);
        Status s = db_->read([](SqlRunner& sql) {
            sql.query("SELECT * FROM no_such_table");
            return Status::ok();
        });
        Poco::Logger::get("dadgate.catalog").setChannel(nullptr);
        CPPUNIT_ASSERT(s.code() == StatusCode::IoError);
        CPPUNIT_ASSERT(s.message().find("no_such_table") == std::string::npos);
        const std::regex shape("internal error \\(reference ([0-9a-f]{8})\\)");
        std::smatch reference;
        CPPUNIT_ASSERT(std::regex_match(s.message(), reference, shape));
        const std::string log = logged_.str();
        CPPUNIT_ASSERT(log.find(reference[1].str() + ": ") != std::string::npos);
        CPPUNIT_ASSERT(log.find("no_such_table") != std::string::npos);
    }

private:
    std::ostringstream logged_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(DbTest);
