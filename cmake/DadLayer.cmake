# dad_layer(NAME DEPENDS <targets>...): one layer of gateway/ (see
# docs/architecture.md), built from every *.cpp of the calling folder. Its
# headers are visible to whoever links it; it sees only the headers of the
# layers it depends on. Each layer is a shared library (in <build>/lib, found
# through the $ORIGIN-relative RPATH) linked with --no-undefined, so code
# that reaches a layer above its own fails to compile (no header) or to link
# (no symbol) instead of passing review.
function(dad_layer name)
    cmake_parse_arguments(LAYER "" "" "DEPENDS" ${ARGN})
    file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
    add_library(${name} SHARED ${sources})
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
    target_link_options(${name} PRIVATE -Wl,--no-undefined)
    target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${LAYER_DEPENDS})
endfunction()
