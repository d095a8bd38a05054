# Warnings and sanitizers apply to throng's own targets only, never to generated code.
add_library(throng_warnings INTERFACE)
target_compile_options(throng_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(THRONG_WERROR)
  target_compile_options(throng_warnings INTERFACE -Werror)
endif()
add_library(throng::warnings ALIAS throng_warnings)

if(THRONG_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# throng_add_library(NAME <name> SRCS ... DEPS ...) -> target throng_<name>, alias throng::<name>
function(throng_add_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(throng_${ARG_NAME} STATIC ${ARG_SRCS})
  add_library(throng::${ARG_NAME} ALIAS throng_${ARG_NAME})
  target_include_directories(throng_${ARG_NAME} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(throng_${ARG_NAME} PUBLIC ${ARG_DEPS} PRIVATE throng::warnings)
endfunction()

# throng_add_executable(NAME <binary> SRCS ... DEPS ...)
function(throng_add_executable)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} throng::warnings)
endfunction()
