# Unit tests of the aggregator's merge; included from tests/CMakeLists.txt, which has found
# GTest and included GoogleTest.
add_executable(aggregator_merge_test ${CMAKE_CURRENT_LIST_DIR}/unit/aggregator_merge_test.cpp)
target_link_libraries(aggregator_merge_test
  PRIVATE throng::aggregator GTest::gtest GTest::gtest_main throng::warnings)
gtest_discover_tests(aggregator_merge_test PROPERTIES LABELS unit)
