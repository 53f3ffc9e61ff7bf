"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_the_models_and_the_migrations_agree(app, db):
    context = MigrationContext.configure(db.session.connection(),
                                         opts={"compare_type": True, "render_as_batch": True})
    differences = compare_metadata(context, db.metadata)
    assert not differences, "run `flask db migrate`; the models differ from the migrations:\n" + "\n".join(
        str(d) for d in differences)


def test_there_is_a_single_migration_head(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Config

    config = Config(app.extensions["migrate"].directory + "/alembic.ini")
    config.set_main_option("script_location", app.extensions["migrate"].directory)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"
