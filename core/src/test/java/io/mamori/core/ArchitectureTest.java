package io.mamori.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core stays framework-free: DESIGN.md, "Shape of the code". */
class ArchitectureTest {

    private final JavaClasses core = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.mamori.core");

    @Test
    void coreClassesWereImported() {
        org.assertj.core.api.Assertions.assertThat(core.contain(io.mamori.core.analysis.Finding.class)).isTrue();
    }

    @Test
    void coreDoesNotDependOnSpring() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework..").check(core);
    }

    @Test
    void coreDoesNotUseJdbc() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..").check(core);
    }

    @Test
    void coreDoesNotUseServlets() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("javax.servlet..", "jakarta.servlet..").check(core);
    }

    @Test
    void coreDoesNotDependOnOtherMamoriModules() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.mamori.gateway..", "io.mamori.console..", "io.mamori.app..").check(core);
    }
}
