#include "CleanStop.h"

#include <Poco/Logger.h>

#include <chrono>
#include <thread>

namespace dad {

namespace {

int64_t total(const Metrics& metrics) {
    int64_t n = 0;
    for (const Gauge& g : metrics.transfers)
        n += std::max<int64_t>(0, g.value());
    return n;
}

}  // namespace

std::string describeTransfers(const Metrics& metrics) {
    const int64_t n = total(metrics);
    if (n == 0) return "no transfer";
    std::string parts;
    for (size_t i = 0; i < kMetricProtocols; ++i) {
        const int64_t v = metrics.transfers[i].value();
        if (v <= 0) continue;
        if (!parts.empty()) parts += ", ";
        parts += std::to_string(v) + " " + metricProtocolName(static_cast<MetricProtocol>(i));
    }
    return std::to_string(n) + (n == 1 ? " transfer (" : " transfers (") + parts + ")";
}

bool waitForTransfers(const Metrics& metrics, int graceSeconds, Poco::Logger& logger) {
    using Clock = std::chrono::steady_clock;
    if (total(metrics) == 0) return true;
    logger.information("stopping: waiting for %s up to %d s", describeTransfers(metrics),
                       graceSeconds);
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(graceSeconds);
    Clock::time_point nextReport = Clock::now() + std::chrono::seconds(10);
    while (total(metrics) > 0) {
        if (Clock::now() >= deadline) {
            logger.warning("stopping: the grace of %d s is over; ending %s", graceSeconds,
                           describeTransfers(metrics));
            return false;
        }
        if (Clock::now() >= nextReport) {
            logger.information("stopping: still waiting for %s", describeTransfers(metrics));
            nextReport += std::chrono::seconds(10);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // The last transfer's close() has returned: give its connection a moment
    // to write the acknowledgement before the connections are cut.
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    logger.information("stopping: every transfer finished");
    return true;
}

}  // namespace dad
