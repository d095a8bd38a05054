# Unit tests of the aggregator's merge; included from tests/CMakeLists.txt, which has found
# GTest and included GoogleTest.
add_executable(aggregator_merge_test ${CMAKE_CURRENT_LIST_DIR}/unit/aggregator_merge_test.cpp)
target_link_libraries(aggregator_merge_test
  PRIVATE throng::aggregator GTest::gtest GTest::gtest_main throng::warnings)
gtest_discover_tests(aggregator_merge_test PROPERTIES LABELS unit)

# The aggregator's failure table against a private redis-server (Debian redis-server); every
# exposition is checked with promtool (Debian prometheus). One row per test case.
add_executable(aggregator_failures_redistest
  ${CMAKE_CURRENT_LIST_DIR}/integration/aggregator_failures_redistest.cpp)
target_link_libraries(aggregator_failures_redistest PRIVATE
  throng::aggregator throng_test_support GTest::gtest GTest::gtest_main throng::warnings)
# The "instance killed" row SIGKILLs a real aggregator process.
target_compile_definitions(aggregator_failures_redistest PRIVATE
  THRONG_AGGREGATOR_BINARY="$<TARGET_FILE:throng-aggregator>")
add_dependencies(aggregator_failures_redistest throng-aggregator)
gtest_discover_tests(aggregator_failures_redistest DISCOVERY_MODE PRE_TEST
  PROPERTIES LABELS integration TIMEOUT 120)
