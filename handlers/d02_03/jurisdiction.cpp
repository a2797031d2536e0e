// Sample jurisdiction generator and schools CSV (contract: jurisdiction.h).
#include "handlers/d02_03/jurisdiction.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/limits.h"
#include "handlers/d02_03/business_key.h"
#include "handlers/d02_03/start_data.h"

namespace pmiflow::handlers::d02_03 {

namespace {

// ---------------------------------------------------------------------------------------------
// Reference data

struct Municipio {
  const char* nombre;
  const char* divipola;  // 2 digits departamento + 3 digits municipio
  std::uint64_t peso;    // relative number of schools
};

struct EtcProfile {
  const char* nombre;
  double oficial;           // share of oficial schools
  double rural_oficial;     // share of rural schools among oficial ones
  double rural_no_oficial;  // share of rural schools among no oficial ones
  std::vector<Municipio> municipios;
};

const std::vector<EtcProfile>& etcs() {
  static const std::vector<EtcProfile> kEtcs = {
      {"Antioquia",
       0.85,
       0.65,
       0.10,
       {{"Abejorral", "05002", 2},
        {"Amalfi", "05031", 2},
        {"Andes", "05034", 3},
        {"Santa Fe de Antioquia", "05042", 2},
        {"Ciudad Bolívar", "05101", 2},
        {"Caucasia", "05154", 4},
        {"Chigorodó", "05172", 3},
        {"La Ceja", "05376", 3},
        {"Marinilla", "05440", 3},
        {"Puerto Berrío", "05579", 2},
        {"Santa Rosa de Osos", "05686", 3},
        {"Segovia", "05736", 2},
        {"Sonsón", "05756", 2},
        {"Urrao", "05847", 2},
        {"Yarumal", "05887", 3}}},
      {"Boyacá",
       0.88,
       0.70,
       0.10,
       {{"Aquitania", "15047", 2},
        {"Chiquinquirá", "15176", 4},
        {"El Cocuy", "15244", 1},
        {"Garagoa", "15299", 2},
        {"Guateque", "15322", 1},
        {"Villa de Leyva", "15407", 2},
        {"Miraflores", "15455", 1},
        {"Moniquirá", "15469", 2},
        {"Nobsa", "15491", 2},
        {"Paipa", "15516", 3},
        {"Puerto Boyacá", "15572", 3},
        {"Ráquira", "15600", 1},
        {"Samacá", "15646", 2},
        {"Soatá", "15753", 1},
        {"Ventaquemada", "15861", 2}}},
      {"Cundinamarca",
       0.76,
       0.55,
       0.10,
       {{"Anapoima", "25035", 1},
        {"Cajicá", "25126", 4},
        {"Cota", "25214", 2},
        {"Funza", "25286", 4},
        {"Guaduas", "25320", 2},
        {"La Calera", "25377", 2},
        {"La Mesa", "25386", 2},
        {"Madrid", "25430", 4},
        {"Pacho", "25513", 2},
        {"Sopó", "25758", 2},
        {"Tabio", "25785", 2},
        {"Tocancipá", "25817", 3},
        {"Villa de San Diego de Ubaté", "25843", 3},
        {"Villeta", "25875", 2}}},
      {"Bogotá", 0.30, 0.05, 0.02, {{"Bogotá, D.C.", "11001", 1}}},
      {"Medellín", 0.35, 0.12, 0.03, {{"Medellín", "05001", 1}}},
      {"Cali", 0.30, 0.10, 0.03, {{"Cali", "76001", 1}}},
      {"Barranquilla", 0.30, 0.02, 0.01, {{"Barranquilla", "08001", 1}}},
      {"Tunja", 0.45, 0.15, 0.03, {{"Tunja", "15001", 1}}},
      {"Duitama", 0.55, 0.30, 0.05, {{"Duitama", "15238", 1}}},
  };
  return kEtcs;
}

// Sector x zona groups, in the order of the DANE first digit.
enum Group : std::size_t { kOficialUrbano, kOficialRural, kNoOficialUrbano, kNoOficialRural };
constexpr std::size_t kGroups = 4;

// Share of schools with grado 11 (hence a Saber plantel category) per group.
constexpr std::array<double, kGroups> kGrado11 = {0.75, 0.50, 0.60, 0.45};

constexpr std::array<const char*, 5> kCategorias = {"A+", "A", "B", "C", "D"};
// National shares among classified schools (domain-notes.md §9).
constexpr std::array<double, 5> kCategoriaShare = {0.08, 0.15, 0.25, 0.30, 0.22};
// Relative tilt of each group towards each category before fitting to the national shares:
// oficial rural towards C/D, no oficial urbano towards A+/A.
constexpr std::array<std::array<double, 5>, kGroups> kTilt = {{
    {0.60, 0.90, 1.10, 1.10, 0.90},  // oficial urbano
    {0.15, 0.35, 0.80, 1.40, 1.90},  // oficial rural
    {3.50, 2.20, 1.00, 0.50, 0.30},  // no oficial urbano
    {0.60, 0.90, 1.10, 1.10, 1.00},  // no oficial rural
}};

constexpr std::array<const char*, 3> kRegimenes = {"LIBERTAD_REGULADA", "LIBERTAD_VIGILADA",
                                                   "REGIMEN_CONTROLADO"};
constexpr std::array<double, 3> kRegimenShare = {0.25, 0.60, 0.15};

constexpr std::array<const char*, 36> kPatronos = {
    "San José",
    "Santa Teresita",
    "Francisco José de Caldas",
    "Simón Bolívar",
    "Antonio Nariño",
    "José María Córdova",
    "Policarpa Salavarrieta",
    "Gabriela Mistral",
    "Jorge Eliécer Gaitán",
    "Camilo Torres",
    "La Inmaculada",
    "Nuestra Señora del Carmen",
    "Santa Ana",
    "San Francisco de Asís",
    "Pedro Justo Berrío",
    "Marco Fidel Suárez",
    "Manuela Beltrán",
    "Rafael Uribe Uribe",
    "Juan XXIII",
    "Nuestra Señora del Rosario",
    "Atanasio Girardot",
    "Francisco de Paula Santander",
    "Pío XII",
    "Antonia Santos",
    "José Antonio Galán",
    "Luis Carlos Galán",
    "Tomás Carrasquilla",
    "Alfonso López Pumarejo",
    "Soledad Acosta de Samper",
    "Juan Pablo II",
    "Los Libertadores",
    "Santo Tomás de Aquino",
    "La Presentación",
    "El Progreso",
    "La Esperanza",
    "Cristóbal Colón",
};

constexpr std::array<const char*, 24> kVeredas = {
    "La Palma",    "El Retiro",    "San Isidro",   "La Meseta",  "El Cedro",     "Los Naranjos",
    "La Florida",  "El Carmen",    "Buenos Aires", "La Unión",   "El Roble",     "Guayabal",
    "Alto Bonito", "Las Mercedes", "El Porvenir",  "La Cabaña",  "Potrerito",    "San Miguel",
    "Monteloro",   "El Tablazo",   "La Aurora",    "Santa Rita", "Piedra Gorda", "El Llano",
};

// Generic names, so that no real school is tied to a synthetic code, category or régimen.
constexpr std::array<const char*, 28> kColegios = {
    "Los Andes",           "San Bernardo", "Santa María",     "Montessori",  "Sagrado Corazón",
    "San Rafael",          "Santa Inés",   "Los Robles",      "Los Pinos",   "Nuevo Horizonte",
    "Santa Clara",         "San Gabriel",  "San Martín",      "La Colina",   "Iberoamericano",
    "Luz y Vida",          "San Pedro",    "San Luis",        "Santa Lucía", "Los Alpes",
    "Pedagógico Integral", "del Norte",    "Santa Francisca", "Emmanuel",    "Mi Pequeño Mundo",
    "Los Cerezos",         "El Bosque",    "Villa Verde",
};
// "Colegio <modifier><name>".
constexpr std::array<const char*, 5> kModificadores = {"", "Bilingüe ", "Campestre ",
                                                       "Cooperativo ", "Parroquial "};

// Lower-case ASCII with Spanish accents removed: "Bogotá" and "BOGOTA" match.
std::string fold(std::string_view text) {
  static const std::array<std::pair<std::string_view, char>, 14> kAccents = {{
      {"á", 'a'},
      {"é", 'e'},
      {"í", 'i'},
      {"ó", 'o'},
      {"ú", 'u'},
      {"ü", 'u'},
      {"ñ", 'n'},
      {"Á", 'a'},
      {"É", 'e'},
      {"Í", 'i'},
      {"Ó", 'o'},
      {"Ú", 'u'},
      {"Ü", 'u'},
      {"Ñ", 'n'},
  }};
  std::string out;
  for (std::size_t k = 0; k < text.size();) {
    bool replaced = false;
    for (const auto& [accent, plain] : kAccents) {
      if (text.substr(k, accent.size()) == accent) {
        out += plain;
        k += accent.size();
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    char c = text[k++];
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sampling from raw 64-bit outputs

class Sampler {
 public:
  explicit Sampler(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double uniform() {
    return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0);  // 2^-53
  }

  bool chance(double p) { return uniform() < p; }

  // Uniform in [0, n), n > 0, without modulo bias (rejection).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x = engine_();
    while (x >= limit) x = engine_();
    return x % n;
  }

  // An index drawn with the given weights (not necessarily normalised, positive sum).
  template <std::size_t N>
  std::size_t pick(const std::array<double, N>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    const double u = uniform() * total;
    double acc = 0;
    for (std::size_t k = 0; k < N; ++k) {
      acc += weights[k];
      if (u < acc) return k;
    }
    return N - 1;
  }

  template <typename T, std::size_t N>
  const T& one_of(const std::array<T, N>& values) {
    return values[static_cast<std::size_t>(below(N))];
  }

 private:
  std::mt19937_64 engine_;
};

// P(category | group) for the ETC's mix: the tilted national shares fitted (iterative
// proportional fitting) so that the mix of the groups' grado-11 schools gives exactly the
// national shares. Deterministic: a fixed number of IEEE double operations.
std::array<std::array<double, 5>, kGroups> categoria_by_group(const EtcProfile& etc) {
  const std::array<double, kGroups> group_share = {
      etc.oficial * (1 - etc.rural_oficial), etc.oficial * etc.rural_oficial,
      (1 - etc.oficial) * (1 - etc.rural_no_oficial), (1 - etc.oficial) * etc.rural_no_oficial};
  std::array<double, kGroups> row{};  // weight of each group among the classified
  double classified = 0;
  for (std::size_t g = 0; g < kGroups; ++g) {
    row[g] = group_share[g] * kGrado11[g];
    classified += row[g];
  }
  std::array<std::array<double, 5>, kGroups> table{};
  for (std::size_t g = 0; g < kGroups; ++g) {
    for (std::size_t c = 0; c < 5; ++c) table[g][c] = row[g] * kCategoriaShare[c] * kTilt[g][c];
  }
  for (int iteration = 0; iteration < 200; ++iteration) {
    for (std::size_t c = 0; c < 5; ++c) {
      double column = 0;
      for (std::size_t g = 0; g < kGroups; ++g) column += table[g][c];
      const double target = kCategoriaShare[c] * classified;
      for (std::size_t g = 0; g < kGroups; ++g) {
        if (column > 0) table[g][c] *= target / column;
      }
    }
    for (std::size_t g = 0; g < kGroups; ++g) {
      double sum = 0;
      for (double v : table[g]) sum += v;
      for (double& v : table[g]) {
        if (sum > 0) v *= row[g] / sum;
      }
    }
  }
  std::array<std::array<double, 5>, kGroups> out{};
  for (std::size_t g = 0; g < kGroups; ++g) {
    double sum = 0;
    for (double v : table[g]) sum += v;
    for (std::size_t c = 0; c < 5; ++c) {
      out[g][c] = sum > 0 ? table[g][c] / sum : kCategoriaShare[c];
    }
  }
  return out;
}

std::string six_digits(std::uint64_t n) {
  std::string s = std::to_string(n);
  return std::string(6 - s.size(), '0') + s;
}

// Each draw is its own statement: the order in which the operands of one expression are
// evaluated is unspecified, and compilers differ.
std::string school_name(Sampler& sampler, Group group, bool grado_11) {
  switch (group) {
    case kOficialUrbano: {
      const bool tecnica = sampler.chance(0.2);
      const std::string patrono = sampler.one_of(kPatronos);
      return (tecnica ? "Institución Educativa Técnica " : "Institución Educativa ") + patrono;
    }
    case kOficialRural: {
      const std::string vereda = sampler.one_of(kVeredas);
      return (grado_11 ? "Institución Educativa Rural " : "Centro Educativo Rural ") + vereda;
    }
    case kNoOficialUrbano: {
      const std::string modificador = sampler.one_of(kModificadores);
      const std::string nombre = sampler.one_of(kColegios);
      return "Colegio " + modificador + nombre;
    }
    case kNoOficialRural:
      return std::string("Colegio Campestre ") + sampler.one_of(kVeredas);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// CSV

constexpr std::array<const char*, 7> kColumns = {
    "codigo_dane", "nombre", "municipio", "etc", "sector", "categoria_saber", "regimen"};

void append_field(std::string& out, const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

bool valid_utf8(std::string_view s) {
  std::size_t k = 0;
  while (k < s.size()) {
    const auto c = static_cast<unsigned char>(s[k]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++k;
      continue;
    } else if ((c & 0xE0U) == 0xC0U) {
      extra = 1;
      cp = c & 0x1FU;
    } else if ((c & 0xF0U) == 0xE0U) {
      extra = 2;
      cp = c & 0x0FU;
    } else if ((c & 0xF8U) == 0xF0U) {
      extra = 3;
      cp = c & 0x07U;
    } else {
      return false;
    }
    if (k + extra >= s.size()) return false;
    for (std::size_t j = 1; j <= extra; ++j) {
      const auto cc = static_cast<unsigned char>(s[k + j]);
      if ((cc & 0xC0U) != 0x80U) return false;
      cp = (cp << 6) | (cc & 0x3FU);
    }
    static constexpr std::array<std::uint32_t, 4> kMin = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    k += extra + 1;
  }
  return true;
}

// One record: its fields, the line it starts on, and a syntax problem in it (if any).
struct Record {
  int line = 0;
  std::vector<std::string> fields;
  std::string problem;
};

// RFC 4180 records, tolerant of CR/LF/CRLF line ends. False (with `error`) when a quoted field
// is still open at the end of the text.
bool split_records(std::string_view text, std::vector<Record>& records, std::string& error) {
  std::size_t k = 0;
  int line = 1;
  auto at_line_end = [&](std::size_t pos) {
    return pos >= text.size() || text[pos] == '\n' || text[pos] == '\r';
  };
  auto skip_line_end = [&](std::size_t& pos) {  // REQUIRES: at a line end, not at the end
    if (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ++pos;
    ++pos;
    ++line;
  };
  while (k < text.size()) {
    Record record;
    record.line = line;
    while (true) {
      std::string field;
      if (k < text.size() && text[k] == '"') {
        const int opened = line;
        ++k;
        bool closed = false;
        while (k < text.size()) {
          char c = text[k];
          if (c == '"') {
            if (k + 1 < text.size() && text[k + 1] == '"') {
              field += '"';
              k += 2;
              continue;
            }
            ++k;
            closed = true;
            break;
          }
          if (c == '\n' || (c == '\r' && (k + 1 >= text.size() || text[k + 1] != '\n'))) ++line;
          field += c;
          ++k;
        }
        if (!closed) {
          error = "line " + std::to_string(opened) +
                  ": a quoted field is not closed before the end of the file";
          return false;
        }
        if (!at_line_end(k) && text[k] != ',') {
          if (record.problem.empty()) {
            record.problem = "a quoted field must be followed by a comma or the end of the line";
          }
          while (!at_line_end(k) && text[k] != ',') ++k;
        }
      } else {
        while (!at_line_end(k) && text[k] != ',') field += text[k++];
      }
      record.fields.push_back(std::move(field));
      if (k < text.size() && text[k] == ',') {
        ++k;
        continue;
      }
      break;
    }
    if (k < text.size()) skip_line_end(k);
    const bool blank = record.fields.size() == 1 && record.fields[0].empty();
    if (!blank) records.push_back(std::move(record));
  }
  return true;
}

}  // namespace

std::vector<std::string> known_etcs() {
  std::vector<std::string> out;
  for (const EtcProfile& etc : etcs()) out.emplace_back(etc.nombre);
  return out;
}

Result<std::vector<School>> generate_jurisdiction(int n, std::uint64_t seed,
                                                  const std::string& etc_name) {
  if (n < 0 || n > kMaxJurisdictionSize) {
    return make_error(ErrorCode::kInvalidArgument, "number of schools: expected 0 to " +
                                                       std::to_string(kMaxJurisdictionSize) +
                                                       ", found " + std::to_string(n));
  }
  const EtcProfile* etc = nullptr;
  std::string names;
  for (const EtcProfile& candidate : etcs()) {
    if (fold(candidate.nombre) == fold(etc_name)) etc = &candidate;
    names += (names.empty() ? "" : ", ") + std::string(candidate.nombre);
  }
  if (etc == nullptr) {
    return make_error(ErrorCode::kInvalidArgument,
                      "etc: unknown ETC '" + etc_name + "' (expected one of " + names + ")");
  }

  const auto categorias = categoria_by_group(*etc);
  std::uint64_t total_weight = 0;
  for (const Municipio& m : etc->municipios) total_weight += m.peso;

  Sampler sampler(seed);
  std::uint64_t sequence = 1 + sampler.below(900);
  std::vector<School> schools;
  schools.reserve(static_cast<std::size_t>(n));
  std::map<std::string, int> names_seen;  // "<divipola> <name>" -> schools so named
  for (int i = 0; i < n; ++i) {
    const bool oficial = sampler.chance(etc->oficial);
    const bool rural = sampler.chance(oficial ? etc->rural_oficial : etc->rural_no_oficial);
    const Group group = oficial ? (rural ? kOficialRural : kOficialUrbano)
                                : (rural ? kNoOficialRural : kNoOficialUrbano);
    std::uint64_t w = sampler.below(total_weight);
    const Municipio* municipio = &etc->municipios.back();
    for (const Municipio& m : etc->municipios) {
      if (w < m.peso) {
        municipio = &m;
        break;
      }
      w -= m.peso;
    }
    const bool grado_11 = sampler.chance(kGrado11[group]);

    School s;
    s.codigo_dane =
        std::to_string(static_cast<int>(group) + 1) + municipio->divipola + six_digits(sequence);
    sequence += 1 + sampler.below(4);
    s.nombre = school_name(sampler, group, grado_11);
    // Names are unique within a municipio, as the SE's directory has them.
    const int same = ++names_seen[std::string(municipio->divipola) + " " + s.nombre];
    if (same > 1) s.nombre += " N.° " + std::to_string(same);
    s.municipio = municipio->nombre;
    s.etc = etc->nombre;
    s.sector = oficial ? "OFICIAL" : "NO_OFICIAL";
    s.categoria_saber = grado_11 ? kCategorias[sampler.pick(categorias[group])] : "SIN_CLASIFICAR";
    if (!oficial) s.regimen = kRegimenes[sampler.pick(kRegimenShare)];
    s.zona = rural ? "RURAL" : "URBANA";
    schools.push_back(std::move(s));
  }
  return schools;
}

std::string to_csv(const std::vector<School>& schools, bool utf8_bom) {
  std::string out = utf8_bom ? "\xEF\xBB\xBF" : "";
  out += kSchoolsCsvHeader;
  out += '\n';
  for (const School& s : schools) {
    const std::array<const std::string*, 7> fields = {
        &s.codigo_dane, &s.nombre, &s.municipio, &s.etc, &s.sector, &s.categoria_saber, &s.regimen};
    for (std::size_t k = 0; k < fields.size(); ++k) {
      if (k > 0) out += ',';
      append_field(out, *fields[k]);
    }
    out += '\n';
  }
  return out;
}

std::string describe_row_errors(const SchoolRow& row) {
  if (row.errors.empty()) return {};
  std::string out = "line " + std::to_string(row.line) + ": ";
  for (std::size_t k = 0; k < row.errors.size(); ++k) {
    if (k > 0) out += "; ";
    out += row.errors[k].message;
  }
  return out;
}

Result<std::vector<SchoolRow>> read_schools_csv(const std::string& text,
                                                const std::string& periodo) {
  return read_schools_csv(text, periodo, [](const Variables& vars) {
    return handlers::d02_03::validate_start_data(vars);
  });
}

Result<std::vector<SchoolRow>> read_schools_csv(const std::string& text, const std::string& periodo,
                                                const RowValidator& validate) {
  if (Status valid = validate_periodo(periodo); !valid.ok()) {
    return make_error(ErrorCode::kInvalidArgument, valid.error().message);
  }
  if (text.size() > limits::kMaxSchoolsCsvBytes) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::to_string(text.size()) +
                          " bytes, more than the limit for a schools CSV (" +
                          limits::bytes_text(limits::kMaxSchoolsCsvBytes) + ")");
  }
  std::string_view body = text;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);

  std::vector<Record> records;
  std::string error;
  if (!split_records(body, records, error)) return make_error(ErrorCode::kInvalidArgument, error);
  if (records.empty()) {
    return make_error(ErrorCode::kInvalidArgument, std::string("line 1: expected the header ") +
                                                       kSchoolsCsvHeader + ", found an empty file");
  }

  // The header: each column once, in any order, nothing else.
  const Record& header = records.front();
  std::map<std::string, std::size_t> position;
  std::vector<std::string> problems;
  for (std::size_t k = 0; k < header.fields.size(); ++k) {
    const std::string& name = header.fields[k];
    bool known = false;
    for (const char* column : kColumns) known = known || name == column;
    if (!known) {
      problems.push_back("unknown column '" + name + "'");
    } else if (!position.emplace(name, k).second) {
      problems.push_back("column '" + name + "' appears twice");
    }
  }
  for (const char* column : kColumns) {
    if (position.count(column) == 0)
      problems.push_back("missing column '" + std::string(column) + "'");
  }
  if (!problems.empty() || !header.problem.empty()) {
    std::string message = "line " + std::to_string(header.line) + ": bad header (expected " +
                          kSchoolsCsvHeader + "): ";
    if (!header.problem.empty()) problems.insert(problems.begin(), header.problem);
    for (std::size_t k = 0; k < problems.size(); ++k) {
      message += (k > 0 ? "; " : "") + problems[k];
    }
    return make_error(ErrorCode::kInvalidArgument, message);
  }

  std::vector<SchoolRow> rows;
  std::map<std::string, int> first_line;  // codigo_dane -> line of its first row
  for (std::size_t r = 1; r < records.size(); ++r) {
    const Record& record = records[r];
    SchoolRow row;
    row.line = record.line;
    if (!record.problem.empty()) {
      row.errors.push_back(FieldError{"", record.problem});
    } else if (record.fields.size() != kColumns.size()) {
      row.errors.push_back(FieldError{"", "expected " + std::to_string(kColumns.size()) +
                                              " fields (" + kSchoolsCsvHeader + "), found " +
                                              std::to_string(record.fields.size())});
    } else {
      bool utf8 = true;
      for (const char* column : kColumns) {
        const std::string& value = record.fields[position.at(column)];
        if (!valid_utf8(value)) {
          row.errors.push_back(FieldError{
              column, std::string(column) +
                          ": not valid UTF-8 (save the file as \"CSV UTF-8\"), found bytes that "
                          "are not"});
          utf8 = false;
        } else if (!value.empty()) {
          row.variables[column] = value;
        }
      }
      row.variables["periodo"] = periodo;
      if (utf8) {
        row.errors = validate(row.variables);
        auto code = row.variables.find("codigo_dane");
        if (code != row.variables.end()) {
          auto [it, inserted] = first_line.emplace(code->second.get<std::string>(), row.line);
          if (!inserted) {
            row.errors.push_back(FieldError{"codigo_dane", "codigo_dane: '" + it->first +
                                                               "' repeats the row of line " +
                                                               std::to_string(it->second)});
          }
        }
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace pmiflow::handlers::d02_03
