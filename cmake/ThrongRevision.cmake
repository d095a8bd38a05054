# THRONG_REVISION: the source revision throng_build_info reports. By default the short git
# commit at configure time; "unknown" outside a git checkout (a release tarball). Packagers
# may set it themselves.
set(THRONG_REVISION "" CACHE STRING "Source revision for throng_build_info (default: git commit)")
set(THRONG_REVISION_VALUE "${THRONG_REVISION}")
if(NOT THRONG_REVISION_VALUE)
  set(THRONG_REVISION_VALUE unknown)
  find_package(Git QUIET)
  # Only our own checkout: a tarball unpacked inside another repository must not report its commit.
  if(GIT_FOUND AND EXISTS "${PROJECT_SOURCE_DIR}/.git")
    execute_process(
      COMMAND "${GIT_EXECUTABLE}" rev-parse --short HEAD
      WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
      RESULT_VARIABLE git_result
      OUTPUT_VARIABLE git_head
      OUTPUT_STRIP_TRAILING_WHITESPACE
      ERROR_QUIET)
    if(git_result EQUAL 0 AND git_head)
      set(THRONG_REVISION_VALUE "${git_head}")
    endif()
  endif()
endif()
message(STATUS "throng revision: ${THRONG_REVISION_VALUE}")
