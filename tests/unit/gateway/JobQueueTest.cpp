#include <cppunit/extensions/HelperMacros.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "Catalog.h"
#include "JobQueue.h"

using namespace dad;

namespace {

// Counts handler calls and lets the test wait for the n-th one.
class Calls {
public:
    int add() {
        std::lock_guard<std::mutex> lock(mutex_);
        ++count_;
        changed_.notify_all();
        return count_;
    }
    bool waitFor(int n) {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_for(lock, std::chrono::seconds(30), [&] { return count_ >= n; });
    }
    int count() {
        std::lock_guard<std::mutex> lock(mutex_);
        return count_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int count_ = 0;
};

}  // namespace

class JobQueueTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(JobQueueTest);
    CPPUNIT_TEST(testFailedJobIsRetriedUntilItSucceeds);
    CPPUNIT_TEST(testJobGoesDeadAfterMaxAttemptsAndCanBeRetried);
    CPPUNIT_TEST(testJobLeftRunningByACrashRunsAgain);
    CPPUNIT_TEST(testKindsWithoutHandlerWait);
    CPPUNIT_TEST(testBackOffDoubles);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;
    std::unique_ptr<Catalog> catalog_;

    JobQueueOptions fast() {
        JobQueueOptions o;
        o.workers = 2;
        o.maxAttempts = 3;
        o.firstRetrySeconds = 0;
        o.idlePollSeconds = 1;
        return o;
    }
    std::string stateOf(int64_t id) {
        std::vector<JobRecord> jobs;
        CPPUNIT_ASSERT(catalog_->listJobs("", jobs));
        for (const JobRecord& j : jobs) {
            if (j.id == id) return j.state + "/" + std::to_string(j.attempts);
        }
        return "missing";
    }
    int64_t onlyJobId() {
        std::vector<JobRecord> jobs;
        CPPUNIT_ASSERT(catalog_->listJobs("", jobs));
        CPPUNIT_ASSERT_EQUAL(size_t(1), jobs.size());
        return jobs[0].id;
    }

public:
    void setUp() override {
        char templ[] = "/tmp/jobqueue-XXXXXX";
        dir_ = mkdtemp(templ);
        CPPUNIT_ASSERT(Catalog::openSqlite(dir_ + "/catalog.db", catalog_));
    }
    void tearDown() override {
        catalog_.reset();
        std::filesystem::remove_all(dir_);
    }

    void testFailedJobIsRetriedUntilItSucceeds() {
        CPPUNIT_ASSERT(catalog_->enqueueJob("test", "payload"));
        const int64_t id = onlyJobId();
        Calls calls;
        JobQueue queue(*catalog_, fast());
        queue.registerHandler("test", [&](const JobRecord& job) {
            CPPUNIT_ASSERT_EQUAL(std::string("payload"), job.payload);
            return calls.add() < 3 ? Status::failure("not yet") : Status::ok();
        });
        CPPUNIT_ASSERT(queue.start());
        CPPUNIT_ASSERT(calls.waitFor(3));
        queue.stop();
        CPPUNIT_ASSERT_EQUAL(std::string("done/3"), stateOf(id));
    }
    void testJobGoesDeadAfterMaxAttemptsAndCanBeRetried() {
        CPPUNIT_ASSERT(catalog_->enqueueJob("test", "x"));
        const int64_t id = onlyJobId();
        Calls calls;
        {
            JobQueue queue(*catalog_, fast());
            queue.registerHandler("test", [&](const JobRecord&) {
                calls.add();
                return Status::failure("the peer is down");
            });
            CPPUNIT_ASSERT(queue.start());
            CPPUNIT_ASSERT(calls.waitFor(3));
            queue.stop();
        }
        CPPUNIT_ASSERT_EQUAL(3, calls.count());
        CPPUNIT_ASSERT_EQUAL(std::string("dead/3"), stateOf(id));
        std::vector<JobRecord> dead;
        CPPUNIT_ASSERT(catalog_->listJobs("dead", dead));
        CPPUNIT_ASSERT_EQUAL(std::string("the peer is down"), dead.at(0).lastError);
        CPPUNIT_ASSERT(catalog_->retryJob(id));
        CPPUNIT_ASSERT_EQUAL(std::string("queued/0"), stateOf(id));
        CPPUNIT_ASSERT(catalog_->cancelJob(id));
        CPPUNIT_ASSERT_EQUAL(std::string("cancelled/0"), stateOf(id));
        CPPUNIT_ASSERT(!catalog_->cancelJob(id));
    }
    void testJobLeftRunningByACrashRunsAgain() {
        CPPUNIT_ASSERT(catalog_->enqueueJob("test", "x"));
        std::optional<JobRecord> claimed;
        CPPUNIT_ASSERT(catalog_->claimJob({"test"}, claimed));
        CPPUNIT_ASSERT(claimed);
        // The process "dies" here with the job running.
        Calls calls;
        JobQueue queue(*catalog_, fast());
        queue.registerHandler("test", [&](const JobRecord&) {
            calls.add();
            return Status::ok();
        });
        CPPUNIT_ASSERT(queue.start());
        CPPUNIT_ASSERT(calls.waitFor(1));
        queue.stop();
        CPPUNIT_ASSERT_EQUAL(std::string("done/2"), stateOf(claimed->id));
    }
    void testKindsWithoutHandlerWait() {
        CPPUNIT_ASSERT(catalog_->enqueueJob("notify", "later"));
        CPPUNIT_ASSERT(catalog_->enqueueJob("test", "now"));
        Calls calls;
        JobQueue queue(*catalog_, fast());
        queue.registerHandler("test", [&](const JobRecord&) {
            calls.add();
            return Status::ok();
        });
        CPPUNIT_ASSERT(queue.start());
        CPPUNIT_ASSERT(calls.waitFor(1));
        queue.stop();
        std::vector<JobRecord> queued;
        CPPUNIT_ASSERT(catalog_->listJobs("queued", queued));
        CPPUNIT_ASSERT_EQUAL(size_t(1), queued.size());
        CPPUNIT_ASSERT_EQUAL(std::string("notify"), queued[0].kind);
        CPPUNIT_ASSERT_EQUAL(int64_t(0), queued[0].attempts);
    }
    void testBackOffDoubles() {
        JobQueueOptions o;
        o.firstRetrySeconds = 30;
        o.maxRetrySeconds = 100;
        JobQueue queue(*catalog_, o);
        CPPUNIT_ASSERT_EQUAL(int64_t(30), queue.retryDelay(1));
        CPPUNIT_ASSERT_EQUAL(int64_t(60), queue.retryDelay(2));
        CPPUNIT_ASSERT_EQUAL(int64_t(100), queue.retryDelay(3));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(JobQueueTest);
