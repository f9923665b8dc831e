# Shared compile settings and small helpers so each directory's CMakeLists.txt stays a list of
# sources and dependencies.

add_library(airfleet_warnings INTERFACE)
target_compile_options(airfleet_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)

if(AIRFLEET_FUZZ)
  # Instrument every library for coverage so libFuzzer can steer into the parsers.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(AIRFLEET_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# airfleet_library(NAME SRCS a.cc b.cc DEPS x y)
function(airfleet_library name)
  cmake_parse_arguments(A "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} STATIC ${A_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${A_DEPS} PRIVATE airfleet_warnings)
endfunction()

# airfleet_test(NAME SRCS a_test.cc DEPS lib) -> a gtest binary registered with ctest.
function(airfleet_test name)
  cmake_parse_arguments(A "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${A_SRCS})
  target_link_libraries(${name} PRIVATE ${A_DEPS} airfleet_warnings GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES ENVIRONMENT "AIRFLEET_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# airfleet_benchmark(NAME SRCS a_benchmark.cc DEPS lib)
function(airfleet_benchmark name)
  if(NOT AIRFLEET_BENCH)
    return()
  endif()
  cmake_parse_arguments(A "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${A_SRCS})
  target_link_libraries(${name} PRIVATE ${A_DEPS} airfleet_warnings benchmark::benchmark benchmark::benchmark_main)
endfunction()

# airfleet_fuzzer(NAME SRCS a_fuzzer.cc DEPS lib) -> libFuzzer binary (clang only).
function(airfleet_fuzzer name)
  if(NOT AIRFLEET_FUZZ)
    return()
  endif()
  cmake_parse_arguments(A "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${A_SRCS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${A_DEPS})
endfunction()
