"""Everything that runs inside a Lambda function. Standard library only on the default path."""
