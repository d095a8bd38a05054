# Generates embedded_migrations.cpp from migrations/NNNN_name.sql at configure time.
file(GLOB THRONG_MIGRATION_FILES ${CMAKE_CURRENT_SOURCE_DIR}/migrations/*.sql)
list(SORT THRONG_MIGRATION_FILES)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${THRONG_MIGRATION_FILES})
set(THRONG_MIGRATION_ENTRIES "")
foreach(file ${THRONG_MIGRATION_FILES})
  get_filename_component(stem ${file} NAME_WE)
  string(REGEX MATCH "^([0-9]+)_(.*)$" matched ${stem})
  if(NOT matched)
    message(FATAL_ERROR "migration ${file} must be named NNNN_name.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  set(name ${CMAKE_MATCH_2})
  file(READ ${file} sql)
  string(APPEND THRONG_MIGRATION_ENTRIES
    "    {${version}, \"${name}\", R\"throng_sql(${sql})throng_sql\"},\n")
endforeach()
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/embedded_migrations.cpp.tmp
"// Generated from services/operator/migrations; do not edit.
#include \"embedded_migrations.hpp\"

namespace throng::operator_ {

const std::vector<Migration>& EmbeddedMigrations() {
  static const std::vector<Migration> migrations{
${THRONG_MIGRATION_ENTRIES}  };
  return migrations;
}

}  // namespace throng::operator_
")
configure_file(${CMAKE_CURRENT_BINARY_DIR}/embedded_migrations.cpp.tmp
               ${CMAKE_CURRENT_BINARY_DIR}/embedded_migrations.cpp COPYONLY)
