// HttpStatusMap: the one Status -> HTTP status table of WebDAV, the package
// pages and the peer API, with WebDAV's per-method answers.
#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <utility>
#include <vector>

#include "HttpStatusMap.h"

using dad::DavOperation;
using dad::HttpFront;
using dad::httpStatus;
using dad::StatusCode;
using dad::webDavHttpStatus;

namespace {

using Expected = std::vector<std::pair<StatusCode, int>>;

const StatusCode kAllCodes[] = {
    StatusCode::Ok,
    StatusCode::NotFound,
    StatusCode::Exists,
    StatusCode::PermissionDenied,
    StatusCode::NotADirectory,
    StatusCode::IsADirectory,
    StatusCode::NotEmpty,
    StatusCode::InvalidArgument,
    StatusCode::QuotaExceeded,
    StatusCode::Busy,
    StatusCode::Unsupported,
    StatusCode::IoError,
    StatusCode::Failure,
};

// Every row of `expected` is what `answer` gives for its code.
template <typename Answer>
void expectAnswers(const Expected& expected, Answer answer) {
    for (const auto& [code, status] : expected) {
        CPPUNIT_ASSERT_EQUAL_MESSAGE("StatusCode " + std::to_string(static_cast<int>(code)), status,
                                     answer(code));
    }
}

}  // namespace

class HttpStatusMapTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HttpStatusMapTest);
    CPPUNIT_TEST(testWebDavAnswersDependOnTheMethod);
    CPPUNIT_TEST(testWebDavReadIsTheWebDavColumn);
    CPPUNIT_TEST(testPackagePagesAnswers);
    CPPUNIT_TEST(testPeerApiAnswers);
    CPPUNIT_TEST(testFrontsAgreeOnTheCommonAnswers);
    CPPUNIT_TEST_SUITE_END();

public:
    void testWebDavAnswersDependOnTheMethod() {
        auto with = [](DavOperation operation) {
            return [operation](StatusCode code) { return webDavHttpStatus(code, operation); };
        };
        expectAnswers({{StatusCode::NotFound, 404},
                       {StatusCode::PermissionDenied, 403},
                       {StatusCode::InvalidArgument, 400},
                       {StatusCode::IsADirectory, 405},
                       {StatusCode::Unsupported, 405}},
                      with(DavOperation::Read));
        // A missing parent is 409; a taken name 412, but 405 for MKCOL.
        expectAnswers({{StatusCode::NotFound, 409},
                       {StatusCode::Exists, 412},
                       {StatusCode::QuotaExceeded, 507}},
                      with(DavOperation::Create));
        expectAnswers({{StatusCode::NotFound, 409}, {StatusCode::Exists, 405}},
                      with(DavOperation::MkCol));
        expectAnswers({{StatusCode::NotFound, 409}, {StatusCode::Exists, 412}},
                      with(DavOperation::CopyMove));
        expectAnswers(
            {{StatusCode::NotFound, 404}, {StatusCode::Busy, 423}, {StatusCode::NotEmpty, 409}},
            with(DavOperation::Change));
    }

    void testWebDavReadIsTheWebDavColumn() {
        for (StatusCode code : kAllCodes) {
            CPPUNIT_ASSERT_EQUAL(httpStatus(code, HttpFront::WebDav),
                                 webDavHttpStatus(code, DavOperation::Read));
        }
    }

    void testPackagePagesAnswers() {
        // A page shows only files: a folder in the way is not found.
        expectAnswers({{StatusCode::IsADirectory, 404},
                       {StatusCode::NotADirectory, 404},
                       {StatusCode::Exists, 409},
                       {StatusCode::Busy, 409},
                       {StatusCode::Unsupported, 405}},
                      [](StatusCode code) { return httpStatus(code, HttpFront::PackagePages); });
    }

    void testPeerApiAnswers() {
        expectAnswers({{StatusCode::Exists, 409},
                       {StatusCode::Busy, 409},
                       {StatusCode::NotEmpty, 409},
                       {StatusCode::NotADirectory, 409},
                       {StatusCode::IsADirectory, 409},
                       {StatusCode::Unsupported, 501}},
                      [](StatusCode code) { return httpStatus(code, HttpFront::PeerApi); });
    }

    void testFrontsAgreeOnTheCommonAnswers() {
        const Expected common = {{StatusCode::Ok, 200},
                                 {StatusCode::NotFound, 404},
                                 {StatusCode::PermissionDenied, 403},
                                 {StatusCode::InvalidArgument, 400},
                                 {StatusCode::QuotaExceeded, 507},
                                 {StatusCode::IoError, 500},
                                 {StatusCode::Failure, 500}};
        for (HttpFront front : {HttpFront::WebDav, HttpFront::PackagePages, HttpFront::PeerApi}) {
            expectAnswers(common, [front](StatusCode code) { return httpStatus(code, front); });
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HttpStatusMapTest);
